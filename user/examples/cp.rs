//! `cp OLD NEW`: creates NEW with the size of OLD (files cannot grow) and copies OLD into it.
#![no_std]
#![no_main]

use rintos_user::cstr::show;
use rintos_user::entry::Args;
use rintos_user::println;
use rintos_user::syscall::{close, create, filesize, open, read, write};

rintos_user::entry!(main);

fn main(args: Args) -> i32 {
    let (Some(source), Some(destination), 3) = (args.get(1), args.get(2), args.len()) else {
        println!("usage: cp OLD NEW");
        return 1;
    };
    let input = open(source);
    if input < 0 {
        println!("{}: open failed", show(source));
        return 1;
    }
    if !create(destination, filesize(input) as u32) {
        println!("{}: create failed", show(destination));
        return 1;
    }
    let output = open(destination);
    if output < 0 {
        println!("{}: open failed", show(destination));
        return 1;
    }

    let mut buffer = [0u8; 1024];
    loop {
        let count = read(input, &mut buffer);
        let Ok(count @ 1..) = usize::try_from(count) else {
            break;
        };
        if write(output, &buffer[..count]) != count as i32 {
            println!("{}: write failed", show(destination));
            return 1;
        }
    }
    close(input);
    close(output);
    0
}
