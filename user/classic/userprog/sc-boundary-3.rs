//! Makes a system call whose number has only its first byte mapped: esp points at the last
//! byte below the first unmapped page after the data. The kernel must kill the process.
#![no_std]
#![no_main]

use rintos_user::boundary::bad_boundary;
use rintos_user::fail;
use rintos_user::fault::syscall_with_stack;

rintos_user::test_main!(test_main);

fn test_main() {
    let last_byte = bad_boundary().wrapping_sub(1);
    // SAFETY: the byte below the bad boundary is the end of the boundary area.
    unsafe {
        last_byte.write(100);
        syscall_with_stack(last_byte.addr());
    }
    fail!("should have killed process");
}
