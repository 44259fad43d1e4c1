//! Prints the files named on the command line.
#![no_std]
#![no_main]

use rintos_user::cstr::show;
use rintos_user::entry::Args;
use rintos_user::println;
use rintos_user::syscall::{STDOUT_FILENO, close, open, read, write};

rintos_user::entry!(main);

fn main(args: Args) -> i32 {
    let mut status = 0;
    for name in args.iter().skip(1) {
        let fd = open(name);
        if fd < 0 {
            println!("{}: open failed", show(name));
            status = 1;
            continue;
        }
        let mut buffer = [0u8; 1024];
        loop {
            let count = read(fd, &mut buffer);
            let Ok(count @ 1..) = usize::try_from(count) else {
                break;
            };
            write(STDOUT_FILENO, &buffer[..count]);
        }
        close(fd);
    }
    status
}
