//! Reads a file into an address 4 KiB below a local variable: below the stack pointer and
//! not stack growth, so the kernel must kill the process.
#![no_std]
#![no_main]

use rintos_user::syscall::{open, raw};
use rintos_user::{check, fail};

rintos_user::test_main!(test_main);

fn test_main() {
    check!(let fd = open(c"sample.txt") => fd > 1, "open \"sample.txt\"");
    let below_stack = (&raw const fd).cast::<u8>().cast_mut().wrapping_sub(4096);
    // SAFETY: 4 KiB below our frame is unused stack space the kernel must not grow into.
    unsafe { raw::read(fd, below_stack, 1) };
    fail!("survived reading data into bad address");
}
