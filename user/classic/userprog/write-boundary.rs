//! Writes from a buffer that straddles a page boundary. Valid, so it must work.
#![no_std]
#![no_main]

use rintos_user::boundary::copy_string_across_boundary;
use rintos_user::samples::USERPROG_SAMPLE;
use rintos_user::syscall::{open, raw};
use rintos_user::{check, fail};

rintos_user::test_main!(test_main);

fn test_main() {
    let text = copy_string_across_boundary(USERPROG_SAMPLE);
    check!(let fd = open(c"sample.txt") => fd > 1, "open \"sample.txt\"");
    let count = raw::write(fd, text, USERPROG_SAMPLE.len() as u32);
    if usize::try_from(count) != Ok(USERPROG_SAMPLE.len()) {
        fail!(
            "write() returned {} instead of {}",
            count,
            USERPROG_SAMPLE.len()
        );
    }
}
