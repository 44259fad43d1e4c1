//! Mapping at misaligned address must fail.
#![no_std]
#![no_main]

use rintos_user::check;
use rintos_user::syscall::{MAP_FAILED, mmap, open};

rintos_user::test_main!(test_main);

fn test_main() {
    check!(let fd = open(c"sample.txt") => fd > 1, "open \"sample.txt\"");
    check!(
        mmap(fd, 0x1000_1234) == MAP_FAILED,
        "try to mmap at misaligned address"
    );
}
