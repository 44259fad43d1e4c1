//! Prints the files named on the command line.
#![no_std]
#![no_main]

use rintos_user::entry::Args;
use rintos_user::syscall::{STDOUT_FILENO, write};

rintos_user::entry!(main);

fn main(args: Args) -> i32 {
    args.read_named_files(|_, bytes| {
        write(STDOUT_FILENO, bytes);
    })
}
