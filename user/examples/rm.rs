//! Removes the files named on the command line.
#![no_std]
#![no_main]

use rintos_user::cstr::show;
use rintos_user::entry::Args;
use rintos_user::println;
use rintos_user::syscall::remove;

rintos_user::entry!(main);

fn main(args: Args) -> i32 {
    let mut status = 0;
    for name in args.iter().skip(1) {
        if !remove(name) {
            println!("{}: remove failed", show(name));
            status = 1;
        }
    }
    status
}
