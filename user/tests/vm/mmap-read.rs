//! Maps sample.txt and reads it through the mapping; the rest of the page must be zeros.
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

    // SAFETY: the kernel just mapped a page there; nothing else refers to it.
    let page = unsafe { core::slice::from_raw_parts(MAPPING as *const u8, 4096) };
    let (text, rest) = page.split_at(VM_SAMPLE.len());
    if text != VM_SAMPLE {
        fail!("read of mmap'd file reported bad data");
    }
    if let Some(index) = rest.iter().position(|&byte| byte != 0) {
        fail!(
            "byte {} of mmap'd region has value {:02x} (should be 0)",
            VM_SAMPLE.len() + index,
            rest[index]
        );
    }

    munmap(map);
    close(fd);
}
