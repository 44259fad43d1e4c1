//! What the benchmark programs share: the time-stamp counter, the two Rintos statistics
//! calls, and the report lines the host harness reads.
//!
//! Every report line has the form `bench WHAT key=value ... [| HISTOGRAM]`, written with a
//! single `write` so that lines of processes running at once never interleave; the
//! histogram, when there is one, is in the compact form of `rintos_abi::latency`.
#![no_std]

use core::arch::asm;
use core::ffi::CStr;
use core::fmt;

use rintos_user::abi::latency::{FaultClass, Histogram};
use rintos_user::abi::{VmStats, nr};
use rintos_user::cstr::{StrBuf, atoi};
use rintos_user::entry::Args;
use rintos_user::syscall::{STDOUT_FILENO, write};

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

    /// The TSC value `ms` milliseconds after `start`.
    pub fn after_ms(&self, start: u64, ms: u64) -> u64 {
        start + ms * self.tsc_per_second / 1000
    }
}

impl Default for Clock {
    fn default() -> Clock {
        Clock::new()
    }
}

/// `vm_stats`: the kernel's fault and resource counters.
pub fn vm_stats() -> VmStats {
    let mut words = [0u64; VmStats::FIELDS];
    let copied = syscall3(
        nr::VM_STATS,
        words.as_mut_ptr() as u32,
        core::mem::size_of_val(&words) as u32,
        0,
    );
    assert_eq!(
        copied as usize,
        core::mem::size_of_val(&words),
        "vm_stats copied too little"
    );
    VmStats::from_array(&words)
}

/// `fault_latency`: the kernel's latency histogram of one fault class.
pub fn fault_latency(class: FaultClass) -> Histogram {
    let mut histogram = Histogram::default();
    let size = core::mem::size_of_val(&histogram.counts) as u32;
    let copied = syscall3(
        nr::FAULT_LATENCY,
        class as u32,
        histogram.counts.as_mut_ptr() as u32,
        size,
    );
    assert_eq!(copied, size, "fault_latency copied too little");
    histogram
}

/// A Rintos system call with three arguments, made like the classic ones (number and
/// arguments on the stack, `int $0x30`, result in `eax`).
// The runtime's `syscall` module keeps its helpers private; these two calls are Rintos
// extensions it does not wrap.
fn syscall3(number: u32, arg0: u32, arg1: u32, arg2: u32) -> u32 {
    let result;
    // SAFETY: the kernel reads the four words we push and writes only into the buffer the
    // caller passed (at most `size` bytes of it), which we own.
    unsafe {
        asm!("push {arg2}", "push {arg1}", "push {arg0}", "push {number}", "int 0x30", "add esp, 16",
             number = in(reg) number, arg0 = in(reg) arg0, arg1 = in(reg) arg1, arg2 = in(reg) arg2,
             lateout("eax") result);
    }
    result
}

/// Writes one report line: `bench {args}`, then ` | histogram` if there is one.
pub fn report(args: fmt::Arguments, histogram: Option<&Histogram>) {
    let mut line = StrBuf::<4096>::format(format_args!("bench {args}"));
    if let Some(histogram) = histogram {
        let _ = fmt::Write::write_str(&mut line, " | ");
        let _ = histogram.write_compact(&mut line);
    }
    let _ = fmt::Write::write_str(&mut line, "\n");
    write(STDOUT_FILENO, line.as_bytes());
}

/// Argument `index` as a number, or `default` when it is missing.
pub fn number_arg(args: &Args, index: usize, default: u32) -> u32 {
    args.get(index)
        .map_or(default, |text| atoi(text).max(0) as u32)
}

/// Argument `index` as text ("" when missing or not UTF-8).
pub fn text_arg(args: &Args, index: usize) -> &'static str {
    args.get(index)
        .and_then(|text| text.to_str().ok())
        .unwrap_or("")
}

/// A command line for `exec`, e.g. `command(format_args!("bench-contend probe {phase}"))`.
pub fn command(args: fmt::Arguments) -> StrBuf<128> {
    StrBuf::format(args)
}

/// `exec` that must succeed: a benchmark that cannot start its processes measures nothing.
pub fn spawn(command: &CStr) -> rintos_user::syscall::Pid {
    let pid = rintos_user::syscall::exec(command);
    assert!(
        pid != rintos_user::syscall::PID_ERROR,
        "cannot start {command:?}"
    );
    pid
}

/// Runs `touch`, timing it, and adds its time in nanoseconds to `histogram`.
#[inline(always)]
pub fn timed(clock: &Clock, histogram: &mut Histogram, touch: impl FnOnce()) {
    let start = rdtsc();
    touch();
    let cycles = rdtsc() - start;
    histogram.record(clock.ns(cycles));
}
