//! Creates a file whose name pointer points to unmapped memory: the kernel must kill the
//! process.
#![no_std]
#![no_main]

use rintos_user::msg;
use rintos_user::syscall::raw;

rintos_user::test_main!(test_main);

fn test_main() {
    let unmapped = 0x2010_1234 as *const u8;
    msg!(
        "create(0x20101234): {}",
        i32::from(raw::create(unmapped, 0))
    );
}
