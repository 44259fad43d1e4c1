//! Puts SYS_EXIT in the topmost word of the user stack (0xBFFFFFFC) and makes the call
//! with esp pointing at it: the status argument would be at 0xC0000000, in the kernel.
//! The kernel must kill the process with -1, not exit with whatever lies there.
#![no_std]
#![no_main]

use core::arch::asm;

use rintos_user::abi::nr;
use rintos_user::fail;

rintos_user::test_main!(test_main);

fn test_main() {
    // SAFETY: the store goes to the top word of our stack page, past every frame (it
    // overwrites the end of the argument strings, which nothing reads any more); esp is
    // restored if the kernel returns.
    unsafe {
        asm!("mov {saved}, esp", "mov esp, 0xbffffffc", "mov dword ptr [esp], {exit}",
             "int 0x30", "mov esp, {saved}",
             saved = out(reg) _, exit = const nr::EXIT, lateout("eax") _);
    }
    fail!("should have called exit(-1)");
}
