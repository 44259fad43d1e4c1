//! Read-ahead of a memory-mapped file. Writes 32 pages of a pattern to a file and maps it:
//! - reading the mapping in order finds pages read ahead, and every page holds the file's
//!   bytes (a page read ahead comes from the right offset);
//! - mapped again, its first two pages touched (which starts the read-ahead of the next ones)
//!   and unmapped at once, the pages being read ahead meet a munmap that has taken them out
//!   of the address space: they must be freed all the same (the leak check at power-off,
//!   `Resources at start` / `at end`, proves it) and counted as read for nothing.
#![no_std]
#![no_main]

use core::hint::black_box;

use rintos_user::abi::PAGE_SIZE;
use rintos_user::syscall::{MAP_FAILED, close, create, mmap, munmap, open, remove, vm_stats, write};
use rintos_user::{check, fail, msg};
use rintos_vm_extra::pattern;

rintos_user::test_main!(test_main);

const PAGES: usize = 32;
const MAPPING: usize = 0x1000_0000;
const ROUND: u32 = 11;

fn test_main() {
    check!(create(c"ra-data", (PAGES * PAGE_SIZE) as u32), "create \"ra-data\"");
    check!(let fd = open(c"ra-data") => fd > 1, "open \"ra-data\"");
    let mut page = [0u8; PAGE_SIZE];
    for index in 0..PAGES {
        pattern::fill(ROUND, index * PAGE_SIZE, &mut page);
        if write(fd, &page) != PAGE_SIZE as i32 {
            fail!("write page {}", index);
        }
    }
    msg!("wrote {} pages", PAGES);

    let before = vm_stats();
    check!(let map = mmap(fd, MAPPING) => map != MAP_FAILED, "mmap \"ra-data\"");
    // SAFETY: the kernel just mapped the file's pages there, for this process alone.
    let mapped = unsafe { core::slice::from_raw_parts(MAPPING as *const u8, PAGES * PAGE_SIZE) };
    for (index, page) in black_box(mapped).chunks(PAGE_SIZE).enumerate() {
        if let Some(offset) = pattern::first_mismatch(ROUND, index * PAGE_SIZE, page) {
            fail!("byte {} of page {} of the mapping is not the file's", offset, index);
        }
    }
    msg!("every page of the mapping holds the file's bytes");
    munmap(map);
    check!(
        vm_stats().read_ahead_hits > before.read_ahead_hits,
        "reading it in order found pages read ahead"
    );

    let before = vm_stats();
    check!(let map = mmap(fd, MAPPING) => map != MAP_FAILED, "mmap \"ra-data\" again");
    for index in 0..2 {
        // SAFETY: inside the mapping just made.
        unsafe { core::ptr::read_volatile((MAPPING + index * PAGE_SIZE) as *const u8) };
    }
    munmap(map);
    msg!("touched its first two pages, then munmap");
    check!(
        vm_stats().read_ahead_wasted > before.read_ahead_wasted,
        "the pages read ahead meanwhile were freed unused"
    );
    close(fd);
    check!(remove(c"ra-data"), "remove \"ra-data\"");
}
