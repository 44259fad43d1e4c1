//! Opens the same file repeatedly: each open must give a new, different descriptor.
#![no_std]
#![no_main]

use rintos_user::syscall::open;
use rintos_user::{check, fail};

rintos_user::test_main!(test_main);

fn test_main() {
    // Two opens whose results are dropped, as in the classic test, so the checked
    // descriptors are not the first ones handed out.
    open(c"sample.txt");
    open(c"sample.txt");

    check!(let first = open(c"sample.txt") => first > 1, "open \"sample.txt\" once");
    check!(let second = open(c"sample.txt") => second > 1, "open \"sample.txt\" again");
    if first == second {
        fail!("open() returned {} both times", first);
    }
}
