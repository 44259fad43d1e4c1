//! Processor state that the rest of the kernel needs: the interrupt flag, halting, the
//! time-stamp counter and the control registers the paging code reads. The instructions
//! come from the `x86` crate; only the two that must be one uninterruptible sequence
//! (`sti; hlt`) and the frame-pointer read are written by hand.

use core::arch::asm;

use x86::bits32::eflags::{self, EFlags};

/// Whether maskable interrupts are enabled on this CPU.
pub fn interrupts_enabled() -> bool {
    // SAFETY: reading EFLAGS has no side effects.
    unsafe { eflags::read() }.contains(EFlags::FLAGS_IF)
}

/// Disables interrupts and reports whether they were enabled before, so a caller can put
/// the CPU back exactly as it found it with [`restore_interrupts`].
pub fn disable_interrupts() -> bool {
    let was_enabled = interrupts_enabled();
    // SAFETY: `cli` only masks interrupts; the caller restores the previous state.
    unsafe { x86::irq::disable() };
    was_enabled
}

/// Enables interrupts.
pub fn enable_interrupts() {
    // SAFETY: every interrupt vector is routed before the first `sti` (see `trap::init`).
    unsafe { x86::irq::enable() };
}

/// Undoes a [`disable_interrupts`].
pub fn restore_interrupts(was_enabled: bool) {
    if was_enabled {
        enable_interrupts();
    }
}

/// Enables interrupts and waits for the next one in a single step: `sti` takes effect only
/// after the following instruction, so no interrupt can slip in between and leave the CPU
/// asleep with work pending. (The `x86` crate has the two instructions, but as two calls
/// the compiler may put code between them.)
pub fn enable_interrupts_and_halt() {
    // SAFETY: see above; the idle thread is the only caller.
    unsafe { asm!("sti; hlt", options(nomem, nostack)) };
}

/// Stops the CPU for good.
pub fn halt_forever() -> ! {
    loop {
        disable_interrupts();
        // SAFETY: with interrupts off, `hlt` never returns; nothing is left to run.
        unsafe { x86::halt() };
    }
}

/// The time-stamp counter, in CPU cycles since reset.
pub fn rdtsc() -> u64 {
    // SAFETY: `rdtsc` reads a counter and has no side effects.
    unsafe { x86::time::rdtsc() }
}

/// The linear address that caused the last page fault.
pub fn cr2() -> usize {
    // SAFETY: reading CR2 has no side effects.
    unsafe { x86::controlregs::cr2() }
}

/// The physical address of the active page directory.
pub fn cr3() -> usize {
    // SAFETY: reading CR3 has no side effects. On i386 the register is 32 bits wide.
    unsafe { x86::controlregs::cr3() as usize }
}

/// Makes the page directory at physical address `pd` the active one (flushes the TLB).
///
/// # Safety
/// `pd` must be a valid page directory that maps the running kernel.
pub unsafe fn set_cr3(pd: usize) {
    // SAFETY: the caller guarantees the directory maps the code and stack in use.
    unsafe { x86::controlregs::cr3_write(pd as u64) };
}

/// Drops the TLB entry of one page.
pub fn invalidate_page(addr: usize) {
    // SAFETY: `invlpg` only flushes a translation cache entry.
    unsafe { x86::tlb::flush(addr) };
}

/// Return addresses of the calls that led to the frame at `ebp`, walking the chain of saved
/// frame pointers (every function keeps one: the target's `frame-pointer: always`), at
/// most `max` of them.
pub fn call_stack(mut ebp: usize, max: usize) -> impl Iterator<Item = usize> {
    let mut frames = 0;
    core::iter::from_fn(move || {
        if ebp < super::layout::PHYS_BASE || ebp % 4 != 0 || frames == max {
            return None;
        }
        // SAFETY: `ebp` is a kernel address of a frame that `call` and the prologue wrote:
        // [saved ebp, return address]. A corrupt chain ends at the checks above.
        let (saved, ret) = unsafe { (*(ebp as *const usize), *((ebp + 4) as *const usize)) };
        frames += 1;
        if saved != 0 && saved <= ebp {
            ebp = 0; // frames only move up the stack; anything else is corruption
        } else {
            ebp = saved;
        }
        (ret != 0).then_some(ret)
    })
}

/// The current frame pointer, where a backtrace starts.
pub fn frame_pointer() -> usize {
    let ebp: usize;
    // SAFETY: reading a register.
    unsafe { asm!("mov {}, ebp", out(reg) ebp, options(nomem, nostack, preserves_flags)) };
    ebp
}
