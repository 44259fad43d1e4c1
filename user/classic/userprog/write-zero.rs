//! A write of 0 bytes must return 0.
#![no_std]
#![no_main]

use rintos_user::syscall::{open, write};
use rintos_user::{check, fail};

rintos_user::test_main!(test_main);

fn test_main() {
    check!(let fd = open(c"sample.txt") => fd > 1, "open \"sample.txt\"");
    let buffer = [123u8];
    let count = write(fd, &buffer[..0]);
    if count != 0 {
        fail!("write() returned {} instead of 0", count);
    }
}
