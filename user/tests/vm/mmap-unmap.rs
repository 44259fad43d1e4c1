//! After munmap the mapped address must be unmapped again: reading it kills the process.
#![no_std]
#![no_main]

use rintos_user::fault::read_word;
use rintos_user::syscall::{MAP_FAILED, mmap, munmap, open};
use rintos_user::{check, fail};

rintos_user::test_main!(test_main);

const MAPPING: usize = 0x1000_0000;

fn test_main() {
    check!(let fd = open(c"sample.txt") => fd > 1, "open \"sample.txt\"");
    check!(let map = mmap(fd, MAPPING) => map != MAP_FAILED, "mmap \"sample.txt\"");

    munmap(map);

    // SAFETY: only reads; the address is meant to be unmapped by now.
    fail!(
        "unmapped memory is readable ({})",
        unsafe { read_word(MAPPING) } as i32
    );
}
