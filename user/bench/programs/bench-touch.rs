//! Minor-fault throughput, and what a minor fault should cost at least.
//!
//! - `bench-touch run REPEATS PAGES`: measures the floor (a system-call round trip, which
//!   crosses into the kernel and back as a fault does, and zeroing one 4 KiB page in user
//!   mode, which the kernel does for every zero-fill fault), then runs `bench-touch touch
//!   PAGES` REPEATS times, each a fresh process with fresh memory.
//! - `bench-touch touch PAGES`: writes one byte to each of PAGES fresh pages of its bss,
//!   so each write is one zero-fill fault, and reports the time for all of them.
//! - `bench-touch calls CALLS`: makes CALLS system calls that do nothing (`tell(0)`) and
//!   reports the time for all of them: a trap into the kernel and back, without a fault.
//! - `bench-touch parallel touch|calls PROCESSES COUNT`: starts PROCESSES `bench-touch touch
//!   COUNT AT` (or `calls COUNT AT`); each computes until the time-stamp counter reaches AT
//!   (all of them have started by then), does its work, and reports when it began and
//!   ended: on several CPUs they work at the same time, and the harness divides all their
//!   faults (or calls) by the time from the first start to the last end, and by the time
//!   during which any of them was working. The wait makes no
//!   system call: a process still waiting must not take the CPU (or the disk) from one that
//!   already works. The calls show what the traps alone allow: a fault is a trap too.
#![no_std]
#![no_main]

use core::ptr;

use rintos_bench::{Clock, command, number_arg, rdtsc, report, spawn, text_arg};
use rintos_user::abi::PAGE_SIZE;
use rintos_user::entry::Args;
use rintos_user::syscall::{tell, wait};

rintos_user::entry!(main);

/// The most pages one run touches: 4 MiB.
const MAX_PAGES: usize = 1024;
/// Repetitions of each floor measurement.
const FLOOR_ROUNDS: u64 = 2000;

#[repr(C, align(4096))]
struct Area([u8; MAX_PAGES * PAGE_SIZE]);

static mut AREA: Area = Area([0; MAX_PAGES * PAGE_SIZE]);

fn main(args: Args) -> i32 {
    match text_arg(&args, 1) {
        "run" => {
            let repeats = number_arg(&args, 2, 5);
            let pages = number_arg(&args, 3, 512);
            floor();
            for _ in 0..repeats {
                let child = spawn(command(format_args!("bench-touch touch {pages}")).as_cstr());
                assert_eq!(wait(child), 0, "bench-touch touch failed");
            }
        }
        "touch" => {
            wait_for_start(&args);
            touch((number_arg(&args, 2, 512) as usize).min(MAX_PAGES));
        }
        "calls" => {
            wait_for_start(&args);
            calls(number_arg(&args, 2, 20_000));
        }
        "parallel" => parallel(text_arg(&args, 2), number_arg(&args, 3, 4), number_arg(&args, 4, 256)),
        other => panic!("bench-touch: unknown part '{other}' (run, touch, calls, parallel)"),
    }
    0
}

fn area() -> *mut u8 {
    (&raw mut AREA).cast::<u8>()
}

/// Computes until the agreed start (argument 3, a TSC value), if there is one.
fn wait_for_start(args: &Args) {
    if let Ok(start) = text_arg(args, 3).parse::<u64>() {
        assert!(rdtsc() < start, "bench-touch: started after the agreed start ({START_MS} ms after the first spawn)");
        while rdtsc() < start {
            core::hint::spin_loop();
        }
    }
}

/// Makes `count` system calls that do nothing; returns the TSC before and after.
fn call_round_trips(count: u64) -> (u64, u64) {
    let start = rdtsc();
    for _ in 0..count {
        // `tell` on the keyboard does nothing but return 0: a bare round trip.
        core::hint::black_box(tell(0));
    }
    (start, rdtsc())
}

fn calls(count: u32) {
    let clock = Clock::new();
    let (start, end) = call_round_trips(u64::from(count));
    report(
        format_args!("calls calls={count} ns={} start-ns={} end-ns={}", clock.ns(end - start), clock.ns(start), clock.ns(end)),
        None,
    );
}

fn touch(pages: usize) {
    let clock = Clock::new();
    let start = rdtsc();
    for page in 0..pages {
        // SAFETY: the page lies inside AREA, which nothing else in this process touches.
        unsafe { ptr::write_volatile(area().add(page * PAGE_SIZE), 1) };
    }
    let end = rdtsc();
    let ns = clock.ns(end - start);
    // Every CPU's time-stamp counter counts the same time under QEMU: the harness compares
    // the start and end of processes that ran on different CPUs.
    report(
        format_args!("touch pages={pages} ns={ns} start-ns={} end-ns={}", clock.ns(start), clock.ns(end)),
        None,
    );
}

/// How long `parallel` gives its processes to start before they begin.
const START_MS: u64 = 500;

/// The most processes `parallel` starts.
const MAX_PROCESSES: usize = 8;

fn parallel(part: &str, processes: u32, count: u32) {
    assert!(matches!(part, "touch" | "calls"), "bench-touch parallel: touch or calls, not '{part}'");
    let start = Clock::new().after_ms(rdtsc(), START_MS);
    let mut children = [0; MAX_PROCESSES];
    let children = &mut children[..(processes as usize).min(MAX_PROCESSES)];
    for child in children.iter_mut() {
        *child = spawn(command(format_args!("bench-touch {part} {count} {start}")).as_cstr());
    }
    for &mut child in children {
        assert_eq!(wait(child), 0, "bench-touch {part} failed");
    }
}

/// The cost of a trap into the kernel and back, and of zeroing a page: a zero-fill fault
/// cannot be cheaper than the two together.
fn floor() {
    let clock = Clock::new();
    let (start, end) = call_round_trips(FLOOR_ROUNDS);
    let syscall_ns = clock.ns(end - start) / FLOOR_ROUNDS;

    let page = area();
    // SAFETY: the first page of AREA, ours; this first write faults it in.
    unsafe { ptr::write_volatile(page, 1) };
    let start = rdtsc();
    for _ in 0..FLOOR_ROUNDS {
        // SAFETY: as above; the page is resident now.
        unsafe { ptr::write_bytes(core::hint::black_box(page), 0, PAGE_SIZE) };
    }
    let zero_ns = clock.ns(rdtsc() - start) / FLOOR_ROUNDS;
    report(
        format_args!("floor syscall-ns={syscall_ns} zero-page-ns={zero_ns}"),
        None,
    );
}
