//! Reads the file into a buffer that straddles a page boundary. Valid, so it must work.
#![no_std]
#![no_main]

use rintos_user::boundary::boundary_area;
use rintos_user::cstr::Show;
use rintos_user::samples::USERPROG_SAMPLE;
use rintos_user::syscall::{open, raw};
use rintos_user::{check, fail, msg};

rintos_user::test_main!(test_main);

fn test_main() {
    check!(let fd = open(c"sample.txt") => fd > 1, "open \"sample.txt\"");

    // Half of the classic `sizeof sample`, which counts the text's NUL, before the boundary.
    let sizeof_sample = USERPROG_SAMPLE.len() + 1;
    let buffer = boundary_area().wrapping_sub(sizeof_sample / 2);
    let length = USERPROG_SAMPLE.len();
    // SAFETY: the buffer lies inside the boundary area, which only raw pointers reach.
    let count = unsafe { raw::read(fd, buffer, length as u32) };
    if usize::try_from(count) != Ok(length) {
        fail!("read() returned {} instead of {}", count, length);
    }
    // SAFETY: the kernel just filled these `length` bytes.
    let text = unsafe { core::slice::from_raw_parts(buffer, length) };
    if text != USERPROG_SAMPLE {
        msg!("expected text:\n{}", Show(USERPROG_SAMPLE));
        msg!("text actually read:\n{}", Show(text));
        fail!("expected text differs from actual");
    }
}
