//! How long interrupts stay off, measured in debug builds (the `release-checked` kernel
//! that `--lock-checks` boots): every stretch from the moment a CPU turns them off (a
//! spinlock, an `InterruptsOff`, an interrupt's handler) to the moment it turns them on
//! again, by the time-stamp counter. The longest is printed at power-off. Release builds
//! measure nothing (every function here is empty).

#[cfg(debug_assertions)]
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

#[cfg(debug_assertions)]
use crate::arch::locked_u64::LockedU64;
#[cfg(debug_assertions)]
use crate::arch::percpu::{self, MAX_CPUS};
#[cfg(debug_assertions)]
use crate::arch::cpu;

/// Return addresses kept of where a stretch began.
#[cfg(debug_assertions)]
const DEPTH: usize = 8;

/// Per CPU: when interrupts went off (0: they are on, or the stretch is not measured), and
/// the calls that turned them off.
#[cfg(debug_assertions)]
static SINCE: [LockedU64; MAX_CPUS] = [const { LockedU64::new(0) }; MAX_CPUS];
#[cfg(debug_assertions)]
static BEGUN_AT: [[AtomicUsize; DEPTH]; MAX_CPUS] = [const { [const { AtomicUsize::new(0) }; DEPTH] }; MAX_CPUS];
/// The longest stretch so far, and where it began (written by one CPU at a time: they take
/// `LONGEST_LOCK`).
#[cfg(debug_assertions)]
static LONGEST: LockedU64 = LockedU64::new(0);
#[cfg(debug_assertions)]
static LONGEST_AT: [AtomicUsize; DEPTH] = [const { AtomicUsize::new(0) }; DEPTH];
#[cfg(debug_assertions)]
static LONGEST_LOCK: AtomicBool = AtomicBool::new(false);

/// Interrupts just went off on this CPU (they are off now).
pub fn began() {
    #[cfg(debug_assertions)]
    {
        let me = percpu::id();
        let mut stack = cpu::call_stack(cpu::frame_pointer(), DEPTH);
        for slot in &BEGUN_AT[me] {
            slot.store(stack.next().unwrap_or(0), Ordering::Relaxed);
        }
        SINCE[me].store(cpu::rdtsc());
    }
}

/// Interrupts are about to go on again on this CPU (they are still off).
pub fn ending() {
    #[cfg(debug_assertions)]
    {
        let me = percpu::id();
        let since = SINCE[me].load();
        SINCE[me].store(0);
        let cycles = cpu::rdtsc().saturating_sub(since);
        if since == 0 || cycles <= LONGEST.load() {
            return;
        }
        while LONGEST_LOCK.swap(true, Ordering::Acquire) {
            core::hint::spin_loop();
        }
        if cycles > LONGEST.load() {
            LONGEST.store(cycles);
            for (kept, began) in LONGEST_AT.iter().zip(&BEGUN_AT[me]) {
                kept.store(began.load(Ordering::Relaxed), Ordering::Relaxed);
            }
        }
        LONGEST_LOCK.store(false, Ordering::Release);
    }
}

/// The longest stretch so far in TSC cycles, and the return addresses of the calls that
/// began it, if this build measures.
pub fn longest() -> Option<(u64, impl Iterator<Item = usize>)> {
    #[cfg(debug_assertions)]
    return Some((
        LONGEST.load(),
        LONGEST_AT.iter().map(|at| at.load(Ordering::Relaxed)).filter(|&at| at != 0),
    ));
    #[cfg(not(debug_assertions))]
    None::<(u64, core::iter::Empty<usize>)>
}
