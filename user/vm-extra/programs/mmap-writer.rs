//! A writer of mmap-2-writers: `mmap-writer INDEX` maps shared.bin and writes page INDEX
//! of it again and again (round INDEX + 1 of `pattern` last), then unmaps it. Exits 0, or
//! fails.
#![no_std]
#![no_main]

use rintos_user::abi::PAGE_SIZE;
use rintos_user::entry::Args;
use rintos_user::fail;
use rintos_user::syscall::{close, mmap, munmap, open};
use rintos_user::testlib::set_test_name;
use rintos_vm_extra::{pattern, text_arg};

rintos_user::entry!(main);

const MAPPING: usize = 0x1000_0000;
/// Times the page is rewritten (each a different round), so that the writers overlap.
const REWRITES: u32 = 200;

fn main(args: Args) -> i32 {
    set_test_name("mmap-writer");
    let Some(index) = text_arg(&args, 1).to_str().ok().and_then(|text| text.parse::<u32>().ok()) else {
        fail!("usage: mmap-writer INDEX");
    };
    let fd = open(c"shared.bin");
    if fd < 2 {
        fail!("open \"shared.bin\"");
    }
    let mapping = mmap(fd, MAPPING);
    if mapping == -1 {
        fail!("mmap \"shared.bin\"");
    }
    // SAFETY: the mapping covers the file's two pages from MAPPING on, and only this
    // process's thread touches it.
    let page = unsafe { core::slice::from_raw_parts_mut((MAPPING + index as usize * PAGE_SIZE) as *mut u8, PAGE_SIZE) };
    for round in (index + 1 + 100..index + 1 + 100 + REWRITES).chain([index + 1]) {
        pattern::fill(round, 0, page);
    }
    munmap(mapping);
    close(fd);
    0
}
