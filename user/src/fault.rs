//! Deliberate bad memory accesses and hand-made system-call frames, for the tests whose
//! process must be killed (or must survive something unusual). They are written in
//! assembly so that they happen exactly as written: to the compiler, a Rust access to
//! NULL or kernel memory would be undefined behaviour that it may remove.

use core::arch::asm;

/// Loads the 32-bit word at `address`.
///
/// # Safety
/// Reading never changes memory, but the caller must expect the process to be killed
/// (the point of these tests); a readable `address` just returns its value.
pub unsafe fn read_word(address: usize) -> u32 {
    let value;
    // SAFETY: see the function's contract.
    unsafe {
        asm!("mov {value}, dword ptr [{address}]",
             address = in(reg) address, value = lateout(reg) value, options(nostack, readonly))
    };
    value
}

/// Stores `value` at `address`.
///
/// # Safety
/// `address` must not be memory the program uses: it is meant to be unmapped, read-only
/// or kernel memory, where the store gets the process killed.
pub unsafe fn write_word(address: usize, value: u32) {
    // SAFETY: see the function's contract.
    unsafe {
        asm!("mov dword ptr [{address}], {value}",
             address = in(reg) address, value = in(reg) value, options(nostack))
    };
}

/// Calls the code at `address` as `int f(void)` and returns its result.
///
/// # Safety
/// `address` must not hold code of ours: it is meant to be unmapped or kernel memory,
/// where the call gets the process killed.
pub unsafe fn call_address(address: usize) -> i32 {
    let result;
    // SAFETY: see the function's contract; were it to return, a cdecl function leaves
    // only the registers `clobber_abi("C")` names changed.
    unsafe {
        asm!("call {address}", address = in(reg) address, lateout("eax") result, clobber_abi("C"))
    };
    result
}

/// Traps into the kernel (`int $0x30`) with `esp` set to `stack`, so the kernel reads the
/// call number at `stack` and the arguments above it: a frame the program laid out by
/// hand, or no frame at all. If the kernel returns, `esp` is restored and the call's
/// result returned.
///
/// # Safety
/// If the frame is a valid call, its effects are the caller's responsibility (a `read`
/// writes where the frame says).
pub unsafe fn syscall_with_stack(stack: usize) -> u32 {
    let result;
    // SAFETY: the kernel preserves every register but eax, so `saved` still holds our
    // stack pointer when the trap returns; nothing between the two moves uses the stack.
    unsafe {
        asm!("mov {saved}, esp", "mov esp, {stack}", "int 0x30", "mov esp, {saved}",
             stack = in(reg) stack, saved = out(reg) _, lateout("eax") result);
    }
    result
}
