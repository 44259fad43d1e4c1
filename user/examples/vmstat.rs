//! `vmstat [SECONDS [COUNT]]`: the virtual memory at work. Prints a header, then a line every
//! SECONDS seconds (1 by default), COUNT lines (without end by default; Ctrl-C stops QEMU).
//! Each line covers the interval since the previous one (the first, since vmstat started):
//!
//! | column | what |
//! |---|---|
//! | `minor`, `major` | faults resolved without and with disk I/O |
//! | `zero`, `swap`, `file`, `mmap` | faults by kind: zero-fill, swap-in, executable read, mapped-file read |
//! | `defer` | faults whose thread had to wait (for the disk, another fault, a busy frame) |
//! | `si`, `so` | pages read from and written to swap |
//! | `frames` | user frames in use at the end of the interval |
//! | `p99ns` | the 99th percentile latency of the interval's minor faults, in nanoseconds (`-` without any) |
//!
//! The counters are the kernel's, for the whole machine (`vm_stats`); the percentile comes
//! from the difference of the minor-fault latency histograms (`fault_latency`) read at the
//! start and at the end of the interval. Rintos has no sleep call: vmstat waits by watching
//! the time-stamp counter, so it competes for the processor like any computing process.
#![no_std]
#![no_main]

use core::ffi::CStr;
use core::fmt::{self, Display, Write};

use rintos_user::abi::VmStats;
use rintos_user::abi::latency::{FaultClass, Histogram};
use rintos_user::clock::{Clock, rdtsc};
use rintos_user::console::print_line;
use rintos_user::entry::Args;
use rintos_user::syscall::{fault_latency, vm_stats};

rintos_user::entry!(main);

/// The columns' titles and widths.
const COLUMNS: [(&str, usize); 11] = [
    ("minor", 6),
    ("major", 6),
    ("zero", 6),
    ("swap", 6),
    ("file", 6),
    ("mmap", 6),
    ("defer", 6),
    ("si", 6),
    ("so", 6),
    ("frames", 6),
    ("p99ns", 8),
];

const MINOR_CLASSES: [FaultClass; 3] =
    [FaultClass::Minor, FaultClass::MinorCleanEviction, FaultClass::MinorDirtyEviction];

fn main(args: Args) -> i32 {
    let Some((seconds, count)) = parse(&args) else {
        print_line(format_args!("usage: vmstat [SECONDS [COUNT]]"));
        return 1;
    };
    let clock = Clock::new();
    let titles = COLUMNS.map(|(title, _)| title);
    print_line(format_args!("{}", Row(titles.each_ref().map(|title| title as &dyn Display))));
    let mut before = Reading::now();
    let mut due = rdtsc();
    let mut printed = 0;
    while count.is_none_or(|count| printed < count) {
        due = clock.after_ms(due, u64::from(seconds) * 1000);
        while rdtsc() < due {
            core::hint::spin_loop();
        }
        let after = Reading::now();
        after.print_since(&before);
        before = after;
        printed += 1;
    }
    0
}

/// SECONDS and COUNT, each a whole number of at least 1; `None` for anything else.
fn parse(args: &Args) -> Option<(u32, Option<u32>)> {
    let positive = |index: usize| -> Option<u32> {
        let text: &CStr = args.get(index)?;
        text.to_str().ok()?.parse().ok().filter(|&number| number > 0)
    };
    match args.len() {
        1 => Some((1, None)),
        2 => Some((positive(1)?, None)),
        3 => Some((positive(1)?, Some(positive(2)?))),
        _ => None,
    }
}

/// The kernel's counters and its minor-fault latencies at one moment.
struct Reading {
    stats: VmStats,
    minor_latency: Histogram,
}

impl Reading {
    fn now() -> Reading {
        let mut minor_latency = Histogram::default();
        for class in MINOR_CLASSES {
            minor_latency.merge(&fault_latency(class));
        }
        Reading { stats: vm_stats(), minor_latency }
    }

    /// Prints the line of the interval from `earlier` to this reading.
    fn print_since(&self, earlier: &Reading) {
        let (now, then) = (&self.stats, &earlier.stats);
        let minor = |stats: &VmStats| stats.zero_fill + stats.resident + stats.shared;
        let major = |stats: &VmStats| stats.swap_in + stats.file_read + stats.mmap_read;
        let p99 = Percentile(self.minor_latency.since(&earlier.minor_latency).quantile(0.99));
        let cells: [&dyn Display; COLUMNS.len()] = [
            &(minor(now) - minor(then)),
            &(major(now) - major(then)),
            &(now.zero_fill - then.zero_fill),
            &(now.swap_in - then.swap_in),
            &(now.file_read - then.file_read),
            &(now.mmap_read - then.mmap_read),
            &(now.deferred - then.deferred),
            &(now.swap_ins - then.swap_ins),
            &(now.swap_outs - then.swap_outs),
            &now.frames_in_use,
            &p99,
        ];
        print_line(format_args!("{}", Row(cells)));
    }
}

/// One line of the table: each cell right-aligned in its column.
struct Row<'a>([&'a dyn Display; COLUMNS.len()]);

impl Display for Row<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        for (index, (cell, (_, width))) in self.0.iter().zip(COLUMNS).enumerate() {
            if index > 0 {
                f.write_char(' ')?;
            }
            write!(f, "{cell:>width$}")?;
        }
        Ok(())
    }
}

/// A latency in nanoseconds, or `-` when the interval had no fault to measure.
struct Percentile(Option<u64>);

impl Display for Percentile {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.0 {
            Some(ns) => Display::fmt(&ns, f),
            None => f.pad("-"),
        }
    }
}
