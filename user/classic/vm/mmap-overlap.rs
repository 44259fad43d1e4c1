//! A second mapping that overlaps the first (both of the 2-page file "zeros") must fail.
#![no_std]
#![no_main]

use rintos_user::check;
use rintos_user::syscall::{MAP_FAILED, mmap, open};

rintos_user::test_main!(test_main);

const MAPPING: usize = 0x1000_0000;

fn test_main() {
    check!(let first = open(c"zeros") => first > 1, "open \"zeros\" once");
    check!(mmap(first, MAPPING) != MAP_FAILED, "mmap \"zeros\"");
    check!(let second = open(c"zeros") => second > 1 && first != second, "open \"zeros\" again");
    check!(
        mmap(second, MAPPING + 4096) == MAP_FAILED,
        "try to mmap \"zeros\" again"
    );
}
