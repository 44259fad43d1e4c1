//! A running executable must not change, not even through a mapping of its file: the program
//! maps its own executable, writes to the mapping, unmaps it, and finds the file as it was.
//! (Pintos denies writes to a running executable; a dirty mapped page written back to it
//! would go around `write` and corrupt the program for its next run.)
#![no_std]
#![no_main]

use rintos_user::check;
use rintos_user::syscall::{close, mmap, munmap, open, read, seek};

rintos_user::test_main!(test_main);

const MAPPING: usize = 0x1000_0000;

fn test_main() {
    check!(let fd = open(c"mmap-rox") => fd > 1, "open \"mmap-rox\"");
    let mut before = [0u8; 64];
    check!(read(fd, &mut before) == 64, "read the first bytes");
    check!(let id = mmap(fd, MAPPING) => id != rintos_user::syscall::MAP_FAILED, "mmap \"mmap-rox\"");
    let first = MAPPING as *mut u8;
    // SAFETY: the mapping is ours; the write dirties its first page.
    unsafe { first.write_volatile(first.read_volatile() ^ 0xFF) };
    munmap(id);
    let mut after = [0u8; 64];
    seek(fd, 0);
    check!(read(fd, &mut after) == 64, "read them again after munmap");
    check!(before == after, "the running executable is unchanged");
    close(fd);
}
