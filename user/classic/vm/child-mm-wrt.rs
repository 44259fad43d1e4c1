//! Child of mmap-exit: creates "sample.txt", maps it and copies the sample text (with its
//! NUL, 795 bytes) into the mapping, then exits without unmapping: the kernel must write
//! the page back at exit.
#![no_std]
#![no_main]

use rintos_user::check;
use rintos_user::samples::VM_SAMPLE_WITH_NUL;
use rintos_user::syscall::{MAP_FAILED, create, mmap, open};

rintos_user::test_main!(test_main);

const MAPPING: usize = 0x1000_0000;

fn test_main() {
    let length = VM_SAMPLE_WITH_NUL.len();
    check!(
        create(c"sample.txt", length as u32),
        "create \"sample.txt\""
    );
    check!(let fd = open(c"sample.txt") => fd > 1, "open \"sample.txt\"");
    check!(mmap(fd, MAPPING) != MAP_FAILED, "mmap \"sample.txt\"");
    // SAFETY: the kernel just mapped the file there; nothing else refers to it.
    let mapped = unsafe { core::slice::from_raw_parts_mut(MAPPING as *mut u8, length) };
    mapped.copy_from_slice(&VM_SAMPLE_WITH_NUL);
}
