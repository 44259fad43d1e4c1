//! Reads 4096 bytes below esp. That is not a stack access (those reach at most 32 bytes
//! below esp), so the process must be killed.
#![no_std]
#![no_main]

use core::arch::asm;

rintos_user::test_main!(test_main);

fn test_main() {
    // SAFETY: only reads; the read is meant to get the process killed.
    unsafe { asm!("mov {value}, dword ptr [esp - 4096]", value = out(reg) _) };
}
