//! Mapping over the program's data must fail, even where the page was never touched yet.
#![no_std]
#![no_main]

use rintos_user::abi::PAGE_SIZE;
use rintos_user::syscall::{MAP_FAILED, mmap, open};
use rintos_user::{ProcessGlobal, check};

rintos_user::test_main!(test_main);

/// A variable in .bss.
static X: ProcessGlobal<u8> = ProcessGlobal::new(0);

fn test_main() {
    let data_page = (&raw const X).addr() / PAGE_SIZE * PAGE_SIZE;
    check!(let fd = open(c"sample.txt") => fd > 1, "open \"sample.txt\"");
    check!(
        mmap(fd, data_page) == MAP_FAILED,
        "try to mmap over data segment"
    );
}
