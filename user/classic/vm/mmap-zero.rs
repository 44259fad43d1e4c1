//! Maps an empty file (which may or may not succeed); either way nothing may be readable at
//! the address afterwards, so reading it kills the process.
#![no_std]
#![no_main]

use rintos_user::fault::read_word;
use rintos_user::syscall::{create, mmap, open};
use rintos_user::{check, fail, msg};

rintos_user::test_main!(test_main);

const MAPPING: usize = 0x7f00_0000;

fn test_main() {
    check!(create(c"empty", 0), "create empty file \"empty\"");
    check!(let fd = open(c"empty") => fd > 1, "open \"empty\"");

    msg!("mmap \"empty\"");
    mmap(fd, MAPPING);

    // SAFETY: only reads; nothing may be mapped there.
    fail!(
        "unmapped memory is readable ({})",
        unsafe { read_word(MAPPING) } as u8
    );
}
