//! What the reliability programs share: any system call with any arguments ([`syscall`]),
//! the program's own memory map ([`layout`]), and the fuzzer's calls and their expected
//! effect on the caller ([`fuzz`]).
#![no_std]

pub mod fuzz;
pub mod layout;

use core::arch::asm;

/// System call `number` with three arguments (the kernel reads only those it needs), made
/// like every Pintos call: arguments and number pushed, `int $0x30`, result in `eax`.
///
/// # Safety
/// The kernel may write wherever the arguments say (read, readdir, vm_stats): to memory
/// that nothing of the program refers to, or that is not writable (then the kernel kills
/// the process). Number 0 (halt) powers the machine off.
pub unsafe fn syscall(number: u32, args: [u32; 3]) -> u32 {
    let result;
    // SAFETY: the trap reads the four words we pushed and pops none of them; only eax
    // changes. Memory counts as clobbered (asm! default).
    unsafe {
        asm!("push {a2}", "push {a1}", "push {a0}", "push {number}", "int 0x30", "add esp, 16",
             number = in(reg) number, a0 = in(reg) args[0], a1 = in(reg) args[1],
             a2 = in(reg) args[2], lateout("eax") result);
    }
    result
}
