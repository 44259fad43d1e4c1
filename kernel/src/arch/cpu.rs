//! Processor state that the rest of the kernel needs: the interrupt flag, halting, the
//! time-stamp counter and the control registers the paging code reads.

use core::arch::asm;

const EFLAGS_IF: u32 = 1 << 9;

/// Whether maskable interrupts are enabled on this CPU.
pub fn interrupts_enabled() -> bool {
    let flags: u32;
    // SAFETY: pushing and popping EFLAGS has no other effect.
    unsafe { asm!("pushfd", "pop {}", out(reg) flags, options(nomem, preserves_flags)) };
    flags & EFLAGS_IF != 0
}

/// Disables interrupts and reports whether they were enabled before, so a caller can put
/// the CPU back exactly as it found it with [`restore_interrupts`].
pub fn disable_interrupts() -> bool {
    let was_enabled = interrupts_enabled();
    // SAFETY: `cli` only masks interrupts; the caller restores the previous state.
    unsafe { asm!("cli", options(nomem, nostack)) };
    was_enabled
}

/// Enables interrupts.
pub fn enable_interrupts() {
    // SAFETY: every interrupt handler is installed before the first `sti` (see `init`).
    unsafe { asm!("sti", options(nomem, nostack)) };
}

/// Undoes a [`disable_interrupts`].
pub fn restore_interrupts(was_enabled: bool) {
    if was_enabled {
        enable_interrupts();
    }
}

/// Enables interrupts and waits for the next one in a single step: `sti` takes effect only
/// after the following instruction, so no interrupt can slip in between and leave the CPU
/// asleep with work pending.
pub fn enable_interrupts_and_halt() {
    // SAFETY: see above; the idle thread is the only caller.
    unsafe { asm!("sti; hlt", options(nomem, nostack)) };
}

/// Stops the CPU for good.
pub fn halt_forever() -> ! {
    loop {
        // SAFETY: with interrupts off, `hlt` never returns; nothing is left to run.
        unsafe { asm!("cli; hlt", options(nomem, nostack)) };
    }
}

/// The time-stamp counter, in CPU cycles since reset.
pub fn rdtsc() -> u64 {
    // SAFETY: `rdtsc` reads a counter and has no side effects.
    unsafe { core::arch::x86::_rdtsc() }
}

/// The linear address that caused the last page fault.
pub fn cr2() -> usize {
    let value: usize;
    // SAFETY: reading CR2 has no side effects.
    unsafe { asm!("mov {}, cr2", out(reg) value, options(nomem, nostack, preserves_flags)) };
    value
}

/// The physical address of the active page directory.
pub fn cr3() -> usize {
    let value: usize;
    // SAFETY: reading CR3 has no side effects.
    unsafe { asm!("mov {}, cr3", out(reg) value, options(nomem, nostack, preserves_flags)) };
    value
}

/// Makes the page directory at physical address `pd` the active one (flushes the TLB).
///
/// # Safety
/// `pd` must be a valid page directory that maps the running kernel.
pub unsafe fn set_cr3(pd: usize) {
    // SAFETY: the caller guarantees the directory maps the code and stack in use.
    unsafe { asm!("mov cr3, {}", in(reg) pd, options(nostack, preserves_flags)) };
}

/// Drops the TLB entry of one page.
pub fn invalidate_page(addr: usize) {
    // SAFETY: `invlpg` only flushes a translation cache entry.
    unsafe { asm!("invlpg [{}]", in(reg) addr, options(nostack, preserves_flags)) };
}

/// The current frame pointer, where a backtrace starts.
pub fn frame_pointer() -> usize {
    let ebp: usize;
    // SAFETY: reading a register.
    unsafe { asm!("mov {}, ebp", out(reg) ebp, options(nomem, nostack, preserves_flags)) };
    ebp
}

