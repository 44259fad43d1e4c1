//! Maps sample.txt and reads it through the mapping; the rest of the page must be zeros.
#![no_std]
#![no_main]

use rintos_user::fail;
use rintos_user::samples::{VM_SAMPLE, map_sample};
use rintos_user::syscall::{close, munmap};

rintos_user::test_main!(test_main);

const MAPPING: usize = 0x1000_0000;

fn test_main() {
    let (fd, map) = map_sample(MAPPING);

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
