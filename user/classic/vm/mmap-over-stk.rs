//! Mapping over the stack must fail.
#![no_std]
#![no_main]

use rintos_user::abi::PAGE_SIZE;
use rintos_user::check;
use rintos_user::syscall::{MAP_FAILED, mmap, open};

rintos_user::test_main!(test_main);

fn test_main() {
    let local = 0u8;
    let stack_page = (&raw const local).addr() / PAGE_SIZE * PAGE_SIZE;
    check!(let fd = open(c"sample.txt") => fd > 1, "open \"sample.txt\"");
    check!(
        mmap(fd, stack_page) == MAP_FAILED,
        "try to mmap over stack segment"
    );
}
