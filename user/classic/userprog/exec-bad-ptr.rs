//! exec with an unmapped string pointer: must fail or kill the process.
#![no_std]
#![no_main]

use rintos_user::syscall::raw;

rintos_user::test_main!(test_main);

fn test_main() {
    raw::exec(0x2010_1234 as *const u8);
}
