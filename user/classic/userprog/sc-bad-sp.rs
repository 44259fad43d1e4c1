//! Makes a system call with the stack pointer about 64 MiB below the code: nowhere near
//! the stack, so not even stack growth may accept it. The kernel must kill the process.
#![no_std]
#![no_main]

use rintos_user::fail;
use rintos_user::fault::syscall_with_stack;

rintos_user::test_main!(test_main);

fn test_main() {
    let code = (test_main as fn() as *const ()).addr();
    // SAFETY: no memory of ours is named by this (non-)frame.
    unsafe { syscall_with_stack(code - 64 * 1024 * 1024) };
    fail!("should have called exit(-1)");
}
