//! Reads a file into its own code: the kernel must kill the process rather than write to a
//! read-only page. (The classic source is pt-write-code-2.c.)
#![no_std]
#![no_main]

use rintos_user::syscall::{open, raw};
use rintos_user::{check, fail};

rintos_user::test_main!(test_main);

fn test_main() {
    check!(let fd = open(c"sample.txt") => fd > 1, "open \"sample.txt\"");
    let code = (test_main as fn() as *const ()).cast::<u8>().cast_mut();
    // SAFETY: code pages are read-only; the kernel must refuse to write there.
    unsafe { raw::read(fd, code, 1) };
    fail!("survived reading data into code segment");
}
