//! Closes and removes a mapped file: the mapping must still show its data, even after a new
//! file might have reused the freed disk sectors.
#![no_std]
#![no_main]

use rintos_user::samples::{VM_SAMPLE, map_sample};
use rintos_user::syscall::{close, create, munmap, open, remove};
use rintos_user::{check, fail};

rintos_user::test_main!(test_main);

const MAPPING: usize = 0x1000_0000;

fn test_main() {
    let (fd, map) = map_sample(MAPPING);

    close(fd);
    check!(remove(c"sample.txt"), "remove \"sample.txt\"");
    check!(open(c"sample.txt") == -1, "try to open \"sample.txt\"");

    // Would take over the sectors of sample.txt if they had been freed too early.
    check!(create(c"another", 4096 * 10), "create \"another\"");

    // SAFETY: the mapping is still there; nothing else refers to it.
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
}
