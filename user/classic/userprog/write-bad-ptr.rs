//! Writes from an unmapped address: the kernel must kill the process.
#![no_std]
#![no_main]

use rintos_user::syscall::{open, raw};
use rintos_user::{check, fail};

rintos_user::test_main!(test_main);

fn test_main() {
    check!(let fd = open(c"sample.txt") => fd > 1, "open \"sample.txt\"");
    raw::write(fd, 0x1012_3420 as *const u8, 123);
    fail!("should have exited with -1");
}
