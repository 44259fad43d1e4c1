//! Opens a NULL name: the call must fail or the kernel must kill the process.
#![no_std]
#![no_main]

use rintos_user::syscall::raw;

rintos_user::test_main!(test_main);

fn test_main() {
    raw::open(core::ptr::null());
}
