//! Writes a file through a mapping, unmaps it, and reads the file back with `read` (mmap
//! must not have moved the file position).
#![no_std]
#![no_main]

use rintos_user::check;
use rintos_user::samples::{VM_SAMPLE, map_sample};
use rintos_user::syscall::{close, create, munmap, read};

rintos_user::test_main!(test_main);

const MAPPING: usize = 0x1000_0000;

fn test_main() {
    let length = VM_SAMPLE.len();
    check!(
        create(c"sample.txt", length as u32),
        "create \"sample.txt\""
    );
    let (fd, map) = map_sample(MAPPING);
    // SAFETY: the kernel just mapped the file there; nothing else refers to it.
    let mapped = unsafe { core::slice::from_raw_parts_mut(MAPPING as *mut u8, length) };
    mapped.copy_from_slice(VM_SAMPLE);
    munmap(map);

    let mut buffer = [0u8; 1024];
    read(fd, &mut buffer[..length]);
    check!(
        buffer[..length] == VM_SAMPLE[..],
        "compare read data against written data"
    );
    close(fd);
}
