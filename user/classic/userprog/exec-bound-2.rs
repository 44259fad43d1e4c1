//! A hand-made exec call: SYS_EXEC in the 4 bytes just below the last byte before the first
//! unmapped page, so only the first byte of the string-pointer argument is mapped. The
//! kernel must kill the process.
#![no_std]
#![no_main]

use rintos_user::abi::nr;
use rintos_user::boundary::bad_boundary;
use rintos_user::fail;
use rintos_user::fault::syscall_with_stack;

rintos_user::test_main!(test_main);

fn test_main() {
    let frame = bad_boundary().wrapping_sub(5);
    // SAFETY: the 5 bytes below the bad boundary are the end of the boundary area.
    unsafe {
        frame.cast::<u32>().write_unaligned(nr::EXEC);
        frame.add(4).write(b'!');
        syscall_with_stack(frame.addr());
    }
    fail!("should have killed process");
}
