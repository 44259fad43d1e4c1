//! Prints its arguments, separated by spaces.
#![no_std]
#![no_main]

use rintos_user::cstr::show;
use rintos_user::entry::Args;
use rintos_user::{print, println};

rintos_user::entry!(main);

fn main(args: Args) -> i32 {
    for (index, arg) in args.iter().skip(1).enumerate() {
        let separator = if index == 0 { "" } else { " " };
        print!("{}{}", separator, show(arg));
    }
    println!();
    0
}
