//! Opens a name at an unmapped address: the kernel must kill the process.
#![no_std]
#![no_main]

use rintos_user::syscall::raw;
use rintos_user::{fail, msg};

rintos_user::test_main!(test_main);

fn test_main() {
    let unmapped = 0x2010_1234 as *const u8;
    msg!("open(0x20101234): {}", raw::open(unmapped));
    fail!("should have called exit(-1)");
}
