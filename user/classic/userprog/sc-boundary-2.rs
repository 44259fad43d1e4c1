//! Makes a system call whose argument has its last byte on the next page. Valid memory,
//! so this must work: exit(67).
#![no_std]
#![no_main]

use rintos_user::abi::nr;
use rintos_user::boundary::boundary_area;
use rintos_user::fail;
use rintos_user::fault::syscall_with_stack;

rintos_user::test_main!(test_main);

fn test_main() {
    let frame = boundary_area().wrapping_sub(7);
    // SAFETY: the 8 bytes lie inside the boundary area, which only raw pointers reach.
    unsafe {
        frame.cast::<u32>().write_unaligned(nr::EXIT);
        frame.add(4).cast::<u32>().write_unaligned(67);
        syscall_with_stack(frame.addr());
    }
    fail!("should have called exit(67)");
}
