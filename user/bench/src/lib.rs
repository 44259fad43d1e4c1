//! What the benchmark programs share: the report lines the host harness reads (the
//! time-stamp counter and Rintos' statistics calls are in the runtime, re-exported here).
//!
//! Every report line has the form `bench WHAT key=value ... [| HISTOGRAM]`, written with a
//! single `write` so that lines of processes running at once never interleave; the
//! histogram, when there is one, is in the compact form of `rintos_abi::latency`.
#![no_std]

use core::ffi::CStr;
use core::fmt;

use rintos_user::abi::latency::Histogram;
pub use rintos_user::clock::{Clock, rdtsc};
pub use rintos_user::syscall::{fault_latency, vm_stats};
use rintos_user::cstr::{StrBuf, atoi};
use rintos_user::entry::Args;
use rintos_user::syscall::{STDOUT_FILENO, write};

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
