//! Changes a mapped file through `write`, not through the mapping, then unmaps it: the page
//! is clean, so unmapping must not write it back over the change.
#![no_std]
#![no_main]

use rintos_user::samples::{VM_SAMPLE, map_sample};
use rintos_user::syscall::{munmap, read, seek, write};
use rintos_user::{ProcessGlobal, check, fail, msg};

rintos_user::test_main!(test_main);

const MAPPING: usize = 0x5432_1000;
const OVERWRITE: &[u8] = b"Now is the time for all good...";
static BUFFER: ProcessGlobal<[u8; 794]> = ProcessGlobal::new([0; 794]);

fn test_main() {
    let (fd, map) = map_sample(MAPPING);
    // SAFETY: the kernel just mapped the file there; nothing else refers to it until
    // the munmap below, after which this slice is no longer used.
    let mapped = unsafe { core::slice::from_raw_parts(MAPPING as *const u8, VM_SAMPLE.len()) };
    if mapped != VM_SAMPLE {
        fail!("read of mmap'd file reported bad data");
    }

    check!(
        write(fd, OVERWRITE) == OVERWRITE.len() as i32,
        "write \"sample.txt\""
    );

    msg!("munmap \"sample.txt\"");
    munmap(map);

    msg!("seek \"sample.txt\"");
    seek(fd, 0);
    let mut buffer = BUFFER.borrow_mut();
    check!(
        read(fd, &mut buffer[..]) == buffer.len() as i32,
        "read \"sample.txt\""
    );

    let (start, rest) = buffer.split_at(OVERWRITE.len());
    if start != OVERWRITE || rest != &VM_SAMPLE[OVERWRITE.len()..] {
        if buffer[..] == VM_SAMPLE[..] {
            fail!("munmap wrote back clean page");
        } else {
            fail!("read surprising data from file");
        }
    }
    msg!("file change was retained after munmap");
}
