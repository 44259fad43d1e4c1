//! A 64-bit value that CPUs and interrupt handlers share, kept without 64-bit atomic
//! instructions: the counters of the statistics, the timer's ticks, TSC times.
//!
//! On i686 every 64-bit atomic, even a load, is a `lock cmpxchg8b`, and QEMU's TCG as Debian
//! 12 ships it (7.2) gets that instruction's flags wrong: its helper computes EFLAGS from the
//! lazy flag state before the translator has brought it up to date, so after an `add` and a
//! `cmpxchg8b` in one translated block EFLAGS can hold the `add`'s operand, TF, IF, DF, NT and
//! IOPL included (a probe reads back EFLAGS 0x4342 after adding 0x4100). An interrupt taken
//! then saves those bits and its `iret` loads them; QEMU also folds them into EFLAGS when its
//! CPU loop stops. The executor's ready queue (crossbeam's `ArrayQueue`, whose indices are
//! 64-bit atomics where the target has them) put its slot offsets there this way, and the
//! kernel single-stepped into a `#DB`. So the kernel's target
//! declares no 64-bit atomics (`max-atomic-width` is 32 in `i686-rintos.json`: crossbeam then
//! indexes with 32-bit ones), and its 64-bit values live here.
//!
//! Every access is a few instructions with interrupts off under a one-word lock: interrupts
//! off because an interrupt handler on the same CPU may touch the same value (timer ticks,
//! disk counters) and would spin forever behind the code it interrupted; the word for the
//! other CPUs. It lives in `arch`, below the spinlocks, because `arch` itself counts
//! (`tlb`) and the spinlocks' interrupts-off measurement (`sync::off_time`) keeps TSC times
//! in it; it needs no place in the lock order, as its section takes no other lock and runs
//! nothing but the update.

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};

use crate::arch::cpu;

pub struct LockedU64 {
    locked: AtomicBool,
    value: UnsafeCell<u64>,
}

// SAFETY: `value` is only reached in `with`, by one CPU at a time (the lock word) and never
// by an interrupt handler on the CPU that holds it (interrupts are off).
unsafe impl Sync for LockedU64 {}

impl LockedU64 {
    pub const fn new(value: u64) -> LockedU64 {
        LockedU64 { locked: AtomicBool::new(false), value: UnsafeCell::new(value) }
    }

    fn with<R>(&self, update: impl FnOnce(&mut u64) -> R) -> R {
        let was_enabled = cpu::disable_interrupts();
        while self.locked.swap(true, Ordering::Acquire) {
            core::hint::spin_loop();
        }
        // SAFETY: the lock word is ours and interrupts are off on this CPU (see `Sync`).
        let result = update(unsafe { &mut *self.value.get() });
        self.locked.store(false, Ordering::Release);
        cpu::restore_interrupts(was_enabled);
        result
    }

    pub fn load(&self) -> u64 {
        self.with(|value| *value)
    }

    pub fn store(&self, new: u64) {
        self.with(|value| *value = new);
    }

    /// Adds `amount` (wrapping); returns the old value.
    pub fn fetch_add(&self, amount: u64) -> u64 {
        self.with(|value| {
            let old = *value;
            *value = old.wrapping_add(amount);
            old
        })
    }

    /// Subtracts `amount` (wrapping); returns the old value.
    pub fn fetch_sub(&self, amount: u64) -> u64 {
        self.with(|value| {
            let old = *value;
            *value = old.wrapping_sub(amount);
            old
        })
    }

    /// Raises the value to `candidate` if that is larger; returns the old value.
    pub fn fetch_max(&self, candidate: u64) -> u64 {
        self.with(|value| {
            let old = *value;
            *value = old.max(candidate);
            old
        })
    }
}
