//! Maps the same file twice, at two addresses: both must show its data.
#![no_std]
#![no_main]

use rintos_user::check;
use rintos_user::samples::VM_SAMPLE;
use rintos_user::syscall::{MAP_FAILED, mmap, open};

rintos_user::test_main!(test_main);

const MAPPINGS: [usize; 2] = [0x1000_0000, 0x2000_0000];

fn test_main() {
    for (index, &address) in MAPPINGS.iter().enumerate() {
        check!(let fd = open(c"sample.txt") => fd > 1, "open \"sample.txt\" #{}", index);
        check!(
            mmap(fd, address) != MAP_FAILED,
            "mmap \"sample.txt\" #{} at {:#x}",
            index,
            address
        );
    }
    for (index, &address) in MAPPINGS.iter().enumerate() {
        // SAFETY: the kernel mapped the file there; nothing else refers to it.
        let text = unsafe { core::slice::from_raw_parts(address as *const u8, VM_SAMPLE.len()) };
        check!(
            text == VM_SAMPLE,
            "compare mmap'd file {} against data",
            index
        );
    }
}
