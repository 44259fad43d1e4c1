//! Runs exec on a string whose first byte is the last mapped byte and has no terminator
//! before unmapped memory. The kernel must kill the process.
#![no_std]
#![no_main]

use rintos_user::boundary::bad_boundary;
use rintos_user::fail;
use rintos_user::syscall::raw;

rintos_user::test_main!(test_main);

fn test_main() {
    let last_byte = bad_boundary().wrapping_sub(1);
    // SAFETY: the byte below the bad boundary is the end of the boundary area.
    unsafe { last_byte.write(b'a') };
    raw::exec(last_byte);
    fail!("should have killed process");
}
