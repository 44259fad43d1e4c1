//! `mmap` after the file was removed: the file's name is gone but the descriptor still
//! names the file, so mapping through it works, shows the file's bytes, and writes through
//! the mapping reach the file (read back through the same descriptor).
//!
//! (The other half of the issue, `mmap` after the file was shrunk, cannot happen here: the
//! base file system fixes a file's length when it is created, writes never shorten it, and
//! there is no call that truncates.)
#![no_std]
#![no_main]

use rintos_user::samples::VM_SAMPLE;
use rintos_user::syscall::{MAP_FAILED, close, mmap, munmap, open, read, remove, seek};
use rintos_user::{check, msg};

rintos_user::test_main!(test_main);

const MAPPING: usize = 0x1000_0000;
const CHANGE: &[u8] = b"Changed through a mapping of a removed file.";

fn test_main() {
    check!(let fd = open(c"sample.txt") => fd > 1, "open \"sample.txt\"");
    check!(remove(c"sample.txt"), "remove \"sample.txt\"");
    check!(open(c"sample.txt") == -1, "try to open \"sample.txt\"");
    check!(let map = mmap(fd, MAPPING) => map != MAP_FAILED, "mmap \"sample.txt\" through its descriptor");
    // SAFETY: the kernel just mapped the file's page there for us alone.
    let mapped = unsafe { core::slice::from_raw_parts_mut(MAPPING as *mut u8, VM_SAMPLE.len()) };
    check!(mapped == VM_SAMPLE, "the mapping holds the file's bytes");

    mapped[..CHANGE.len()].copy_from_slice(CHANGE);
    munmap(map);
    msg!("write through the mapping and munmap");
    let mut expected = *VM_SAMPLE;
    expected[..CHANGE.len()].copy_from_slice(CHANGE);
    let mut contents = [0u8; VM_SAMPLE.len()];
    seek(fd, 0);
    check!(
        read(fd, &mut contents) == VM_SAMPLE.len() as i32 && contents == expected,
        "the file holds the change"
    );
    close(fd);
}
