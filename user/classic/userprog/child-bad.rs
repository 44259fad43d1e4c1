//! Child of wait-killed: makes a system call with esp = 0x20101234 (unmapped), so the kernel
//! must kill it.
#![no_std]
#![no_main]

use rintos_user::fail;
use rintos_user::fault::syscall_with_stack;

rintos_user::test_main!(test_main);

fn test_main() {
    // SAFETY: no memory of ours is named by this (non-)frame.
    unsafe { syscall_with_stack(0x2010_1234) };
    fail!("should have exited with -1");
}
