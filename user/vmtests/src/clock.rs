//! Waiting without a system call for it: Pintos has no `sleep`, so a process that must
//! give others time computes, reading the time-stamp counter, whose rate the kernel
//! measured at boot (`VmStats::tsc_per_second`).
use core::arch::x86::_rdtsc;

use crate::kernel::vm_stats;

/// Computes for `milliseconds`; the timer preempts us meanwhile like any running process.
pub fn pause(milliseconds: u64) {
    let cycles = vm_stats().tsc_per_second * milliseconds / 1000;
    // SAFETY: RDTSC only reads the counter; the kernel lets user mode use it.
    let start = unsafe { _rdtsc() };
    // SAFETY: as above.
    while unsafe { _rdtsc() } - start < cycles {}
}
