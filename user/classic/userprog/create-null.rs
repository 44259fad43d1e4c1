//! Creates a file whose name is a NULL pointer: the kernel must kill the process.
#![no_std]
#![no_main]

use rintos_user::msg;
use rintos_user::syscall::raw;

rintos_user::test_main!(test_main);

fn test_main() {
    msg!(
        "create(NULL): {}",
        i32::from(raw::create(core::ptr::null(), 0))
    );
}
