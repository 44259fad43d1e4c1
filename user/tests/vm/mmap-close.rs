//! A mapping must outlive the descriptor it was made from.
#![no_std]
#![no_main]

use rintos_user::samples::VM_SAMPLE;
use rintos_user::syscall::{MAP_FAILED, close, mmap, munmap, open};
use rintos_user::{check, fail};

rintos_user::test_main!(test_main);

const MAPPING: usize = 0x1000_0000;

fn test_main() {
    check!(let fd = open(c"sample.txt") => fd > 1, "open \"sample.txt\"");
    check!(let map = mmap(fd, MAPPING) => map != MAP_FAILED, "mmap \"sample.txt\"");

    close(fd);

    // SAFETY: the mapping is still there; nothing else refers to it.
    let text = unsafe { core::slice::from_raw_parts(MAPPING as *const u8, VM_SAMPLE.len()) };
    if text != VM_SAMPLE {
        fail!("read of mmap'd file reported bad data");
    }
    munmap(map);
}
