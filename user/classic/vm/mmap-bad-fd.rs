//! Mapping a descriptor that was never opened must fail.
#![no_std]
#![no_main]

use rintos_user::check;
use rintos_user::syscall::{MAP_FAILED, mmap};

rintos_user::test_main!(test_main);

fn test_main() {
    check!(
        mmap(0x5678, 0x1000_0000) == MAP_FAILED,
        "try to mmap invalid fd"
    );
}
