//! Time for user programs. Rintos has no clock or sleep call: a program reads the processor's
//! time-stamp counter and converts it with the rate the kernel calibrated against the timer
//! at boot (`tsc_per_second` of `vm_stats`).
use crate::syscall::vm_stats;

/// Reads the time-stamp counter (user mode may: the kernel leaves CR4.TSD clear).
#[inline(always)]
pub fn rdtsc() -> u64 {
    // SAFETY: `rdtsc` only reads a counter.
    unsafe { core::arch::x86::_rdtsc() }
}

/// Converts TSC cycles to time with the kernel's calibration.
#[derive(Clone, Copy)]
pub struct Clock {
    tsc_per_second: u64,
}

impl Clock {
    pub fn new() -> Clock {
        let tsc_per_second = vm_stats().tsc_per_second;
        assert!(tsc_per_second > 0, "the kernel reports no TSC calibration");
        Clock { tsc_per_second }
    }

    pub fn ns(&self, cycles: u64) -> u64 {
        (u128::from(cycles) * 1_000_000_000 / u128::from(self.tsc_per_second)) as u64
    }

    pub fn ms(&self, cycles: u64) -> u64 {
        self.ns(cycles) / 1_000_000
    }

    /// The TSC value `ms` milliseconds after `start` (the last value there is, if that is
    /// further off than the counter reaches).
    pub fn after_ms(&self, start: u64, ms: u64) -> u64 {
        let cycles = u128::from(ms) * u128::from(self.tsc_per_second) / 1000;
        start.saturating_add(u64::try_from(cycles).unwrap_or(u64::MAX))
    }
}

impl Default for Clock {
    fn default() -> Clock {
        Clock::new()
    }
}
