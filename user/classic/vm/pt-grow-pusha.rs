//! Moves esp to the very bottom of its page and executes PUSHA, which writes 32 bytes below
//! esp at once, on the next page down: the stack must grow for it.
#![no_std]
#![no_main]

use core::arch::asm;

rintos_user::test_main!(test_main);

fn test_main() {
    // SAFETY: PUSHA writes 32 bytes below the lowered esp, into stack space below every
    // live frame; esp is restored right after.
    unsafe {
        asm!("mov {saved}, esp", "and esp, 0xfffff000", "pushad", "mov esp, {saved}",
             saved = out(reg) _);
    }
}
