//! Prints the files named on the command line in hex.
#![no_std]
#![no_main]

use rintos_user::console::hex_dump;
use rintos_user::cstr::show;
use rintos_user::entry::Args;
use rintos_user::println;
use rintos_user::syscall::{close, open, read, tell};

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
            let position = tell(fd) as usize;
            let count = read(fd, &mut buffer);
            let Ok(count @ 1..) = usize::try_from(count) else {
                break;
            };
            hex_dump(position, &buffer[..count], true);
        }
        close(fd);
    }
    status
}
