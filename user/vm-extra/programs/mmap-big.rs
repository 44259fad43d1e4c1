//! A mapping larger than physical memory: maps a 5 MiB file (the test machine has 4 MiB of
//! RAM), writes every page through the mapping, and checks that
//! - pages reached the file while the mapping was still in place: to make room, eviction
//!   wrote dirty mapped pages back to the file (not to swap);
//! - reading the mapping again gives every byte written (evicted pages come back from the
//!   file);
//! - after `munmap`, the file holds every byte written.
#![no_std]
#![no_main]

use rintos_user::abi::PAGE_SIZE;
use rintos_user::syscall::{MAP_FAILED, close, create, mmap, munmap, open, read, remove, seek};
use rintos_user::{ProcessGlobal, check, fail, msg};
use rintos_vm_extra::pattern;

rintos_user::test_main!(test_main);

const FILE_SIZE: usize = 5 * 1024 * 1024;
const MAPPING: usize = 0x1000_0000;
const ROUND: u32 = 7;

static PAGE_BUFFER: ProcessGlobal<[u8; PAGE_SIZE]> = ProcessGlobal::new([0; PAGE_SIZE]);

fn test_main() {
    check!(create(c"big", FILE_SIZE as u32), "create \"big\" (5 MiB)");
    check!(let fd = open(c"big") => fd > 1, "open \"big\"");
    check!(let map = mmap(fd, MAPPING) => map != MAP_FAILED, "mmap \"big\"");
    // SAFETY: the kernel just mapped FILE_SIZE bytes there for us alone.
    let mapped = unsafe { core::slice::from_raw_parts_mut(MAPPING as *mut u8, FILE_SIZE) };

    msg!("write every page through the mapping");
    pattern::fill(ROUND, 0, mapped);
    // The first pages written are the likeliest to have been evicted: look from the start.
    let any_written_back = (0..FILE_SIZE / PAGE_SIZE).any(|page| file_page_matches(fd, page));
    check!(
        any_written_back,
        "some pages reached the file before munmap"
    );

    msg!("read every page through the mapping");
    if let Some(offset) = pattern::first_mismatch(ROUND, 0, mapped) {
        fail!("byte {} of the mapping is wrong", offset);
    }

    munmap(map);
    msg!("munmap \"big\"");
    if let Some(page) = (0..FILE_SIZE / PAGE_SIZE).find(|&page| !file_page_matches(fd, page)) {
        fail!("page {} of the file is wrong after munmap", page);
    }
    msg!("the file holds every byte written");
    close(fd);
    check!(remove(c"big"), "remove \"big\"");
}

/// Whether page `page` of the file open as `fd` holds what was written through the mapping.
fn file_page_matches(fd: i32, page: usize) -> bool {
    let mut buffer = PAGE_BUFFER.borrow_mut();
    seek(fd, (page * PAGE_SIZE) as u32);
    read(fd, &mut buffer[..]) == PAGE_SIZE as i32
        && pattern::first_mismatch(ROUND, page * PAGE_SIZE, &buffer[..]).is_none()
}
