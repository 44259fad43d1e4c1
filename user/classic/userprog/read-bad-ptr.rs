//! Reads into a kernel address: the kernel must kill the process.
#![no_std]
#![no_main]

use rintos_user::syscall::{open, raw};
use rintos_user::{check, fail};

rintos_user::test_main!(test_main);

fn test_main() {
    check!(let fd = open(c"sample.txt") => fd > 1, "open \"sample.txt\"");
    // SAFETY: 0xC0100000 is kernel memory; the kernel must refuse to write there.
    unsafe { raw::read(fd, 0xC010_0000 as *mut u8, 123) };
    fail!("should not have survived read()");
}
