//! What each CPU keeps for itself, reached in one instruction through the GS segment: every
//! CPU's GS selects a segment of its own whose base is its [`CpuLocal`] block (see `gdt`),
//! and the interrupt entry reloads GS from the task register, so the kernel always finds
//! its CPU, whatever a user program left in GS.
//!
//! A thread may move to another CPU whenever interrupts are on, so a CPU number read with
//! interrupts on may be stale by the next instruction; [`current_thread_word`] is safe at any
//! time (one instruction reads it, and it names the thread that runs it), [`id`] only means
//! something while interrupts are off.

use core::arch::asm;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};

/// The most CPUs Rintos runs on.
pub const MAX_CPUS: usize = 8;

/// One CPU's block. The offsets of the first fields are read by `asm!` below.
#[repr(C)]
pub struct CpuLocal {
    /// Offset 0: this CPU's number (0 is the boot CPU).
    id: u32,
    /// Offset 4: the thread running on this CPU, as `threads` encodes it.
    current_thread: AtomicUsize,
    /// Whether the CPU is running a hardware interrupt's handler (which must not sleep).
    in_external_interrupt: AtomicBool,
    /// Whether the CPU has come up (the boot CPU always has).
    online: AtomicBool,
    /// Its local APIC's id.
    apic_id: AtomicU32,
}

const OFFSET_ID: usize = 0;
const OFFSET_CURRENT_THREAD: usize = 4;

static CPUS: [CpuLocal; MAX_CPUS] = {
    let mut cpus = [const {
        CpuLocal {
            id: 0,
            current_thread: AtomicUsize::new(0),
            in_external_interrupt: AtomicBool::new(false),
            online: AtomicBool::new(false),
            apic_id: AtomicU32::new(0),
        }
    }; MAX_CPUS];
    let mut cpu = 0;
    while cpu < MAX_CPUS {
        cpus[cpu].id = cpu as u32;
        cpu += 1;
    }
    cpus
};

/// The address of CPU `cpu`'s block, which `gdt` makes the base of that CPU's GS segment.
pub(super) fn block_address(cpu: usize) -> usize {
    &CPUS[cpu] as *const CpuLocal as usize
}

/// The number of the CPU this runs on. Only stable while interrupts are off.
pub fn id() -> usize {
    let id: u32;
    // SAFETY: GS selects this CPU's block (set up by `gdt::load` before anything runs).
    unsafe { asm!("mov {0:e}, gs:[{offset}]", out(reg) id, offset = const OFFSET_ID, options(nostack, readonly, preserves_flags)) };
    id as usize
}

/// What `threads` stored as the running thread of this CPU.
pub fn current_thread_word() -> usize {
    let word: usize;
    // SAFETY: as in `id`; a single load, so it cannot be torn by a migration: whichever CPU
    // it reads, the word there names the thread that runs this instruction.
    unsafe {
        asm!("mov {0}, gs:[{offset}]", out(reg) word, offset = const OFFSET_CURRENT_THREAD, options(nostack, readonly, preserves_flags))
    };
    word
}

/// What `threads` stored as the running thread of CPU `cpu` (for the double-fault report,
/// which runs on whichever CPU faulted).
pub fn current_thread_word_of(cpu: usize) -> usize {
    CPUS[cpu].current_thread.load(Ordering::Acquire)
}

/// Records the thread about to run on this CPU. Interrupts must be off.
pub fn set_current_thread_word(word: usize) {
    CPUS[id()].current_thread.store(word, Ordering::Release);
}

/// Marks the start and end of a hardware interrupt's handler on this CPU.
pub fn set_in_external_interrupt(inside: bool) {
    CPUS[id()].in_external_interrupt.store(inside, Ordering::Relaxed);
}

/// Whether this CPU is running a hardware interrupt handler.
pub fn in_external_interrupt() -> bool {
    // With interrupts off, so that the thread cannot move to another CPU, which may be in a
    // handler, between finding its CPU and reading the flag.
    let was_enabled = super::cpu::disable_interrupts();
    let inside = CPUS[id()].in_external_interrupt.load(Ordering::Relaxed);
    super::cpu::restore_interrupts(was_enabled);
    inside
}

/// Records that CPU `cpu` (with local APIC `apic_id`) is up.
pub fn set_online(cpu: usize, apic_id: u32) {
    CPUS[cpu].apic_id.store(apic_id, Ordering::Relaxed);
    CPUS[cpu].online.store(true, Ordering::Release);
}

/// Whether CPU `cpu` has come up.
pub fn is_online(cpu: usize) -> bool {
    CPUS[cpu].online.load(Ordering::Acquire)
}

/// How many CPUs are up.
pub fn online_count() -> usize {
    CPUS.iter().filter(|cpu| cpu.online.load(Ordering::Acquire)).count()
}

/// The local APIC id of CPU `cpu`.
pub fn apic_id(cpu: usize) -> u32 {
    CPUS[cpu].apic_id.load(Ordering::Relaxed)
}
