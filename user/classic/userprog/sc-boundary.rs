//! Makes a system call whose number is in the last word of one page and whose argument is
//! in the first word of the next. Both pages are valid, so this must work: exit(42).
#![no_std]
#![no_main]

use rintos_user::abi::nr;
use rintos_user::boundary::boundary_area;
use rintos_user::fail;
use rintos_user::fault::syscall_with_stack;

rintos_user::test_main!(test_main);

fn test_main() {
    let frame = boundary_area().cast::<u32>().wrapping_sub(1);
    // SAFETY: both words lie inside the boundary area, which only raw pointers reach.
    unsafe {
        frame.write(nr::EXIT);
        frame.add(1).write(42);
        syscall_with_stack(frame.addr());
    }
    fail!("should have called exit(42)");
}
