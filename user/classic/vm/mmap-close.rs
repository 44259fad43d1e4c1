//! A mapping must outlive the descriptor it was made from.
#![no_std]
#![no_main]

use rintos_user::fail;
use rintos_user::samples::{VM_SAMPLE, map_sample};
use rintos_user::syscall::{close, munmap};

rintos_user::test_main!(test_main);

const MAPPING: usize = 0x1000_0000;

fn test_main() {
    let (fd, map) = map_sample(MAPPING);

    close(fd);

    // SAFETY: the mapping is still there; nothing else refers to it.
    let text = unsafe { core::slice::from_raw_parts(MAPPING as *const u8, VM_SAMPLE.len()) };
    if text != VM_SAMPLE {
        fail!("read of mmap'd file reported bad data");
    }
    munmap(map);
}
