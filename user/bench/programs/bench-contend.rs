//! The contention experiment: do minor faults stay fast while other processes wait for the
//! disk? One executable plays every part, so the processes it starts share its code pages
//! (their start-up faults are then minor and need no disk):
//!
//! - `bench-contend run K M SECONDS PAGES`: the driver. Runs phase `idle` (K counting
//!   processes and the probe) and then phase `loaded` (the same, with M faulting processes
//!   started right after them), each for SECONDS, and reports the kernel's counters and
//!   minor-fault histogram over each phase.
//! - `bench-contend probe PHASE PAGES MS`: touches PAGES fresh pages of its bss, spread
//!   evenly over MS milliseconds (spinning on the TSC in between, like a busy process that
//!   now and then needs new memory). Each touch is one zero-fill fault, timed with the TSC,
//!   and filed as `io=busy` if another fault was waiting for the disk when it began, else
//!   `io=quiet`.
//! - `bench-contend count PHASE MS`: counts as fast as it can for MS milliseconds, filing
//!   each slice of about 50 ms as busy or quiet in the same way.
//! - `bench-contend load PHASE MS`: until the phase ends (or MS milliseconds have passed:
//!   under `-vm=serial` the probe may never get the fault lock while these run), maps
//!   `load.dat`, reads
//!   each of its pages once (in random order: one major fault each, since the mapping is
//!   new) and unmaps it again. Memory never fills up, so the probe always finds a free
//!   frame: any wait it sees comes from the fault path, not from eviction.
//!
//! Starting a process reads its executable from the disk, which is slow while the disk is
//! busy (and while other processes spin); so the driver starts every process of a phase
//! first, and they all wait for its signal, the one byte of file `go-PHASE`: 1 starts the
//! probe and the counting processes, 2 (a moment later, once they have seen the 1 on a
//! quiet disk) starts the faulting processes, 3 stops them.
#![no_std]
#![no_main]

use core::ptr;

use rintos_bench::{
    Clock, command, fault_latency, number_arg, rdtsc, report, spawn, text_arg, timed, vm_stats,
};
use rintos_user::abi::latency::{FaultClass, Histogram};
use rintos_user::abi::{PAGE_SIZE, VmStats};
use rintos_user::entry::Args;
use rintos_user::syscall::{
    Pid, close, create, filesize, mmap, munmap, open, read, seek, wait, write,
};

rintos_user::entry!(main);

/// The most pages one probe touches: 2 MiB.
const MAX_PROBE_PAGES: usize = 512;
/// The most pages of `load.dat` a faulting process maps.
const MAX_LOAD_PAGES: usize = 1024;
/// The most counting or faulting processes per phase.
const MAX_PROCESSES: usize = 8;
/// How long after the probe the faulting processes start.
const LOAD_DELAY_MS: u64 = 200;
/// How long the faulting processes may go on after the phase should have ended.
const LOAD_GRACE_MS: u64 = 2000;
/// Where a faulting process maps `load.dat`: far from code, data and stack.
const LOAD_ADDRESS: usize = 0x2000_0000;

/// Page-aligned memory that nothing touches before the probe does.
#[repr(C, align(4096))]
struct ProbeArea([u8; MAX_PROBE_PAGES * PAGE_SIZE]);

static mut PROBE_AREA: ProbeArea = ProbeArea([0; MAX_PROBE_PAGES * PAGE_SIZE]);

fn main(args: Args) -> i32 {
    match text_arg(&args, 1) {
        "run" => {
            let counters = (number_arg(&args, 2, 2) as usize).min(MAX_PROCESSES);
            let loads = (number_arg(&args, 3, 2) as usize).min(MAX_PROCESSES);
            let seconds = u64::from(number_arg(&args, 4, 10));
            let pages = number_arg(&args, 5, 64) as usize;
            let phase = |name, loads| {
                Phase {
                    name,
                    counters,
                    loads,
                    seconds,
                    pages,
                }
                .run()
            };
            phase("idle", 0);
            phase("loaded", loads);
        }
        "probe" => probe(
            text_arg(&args, 2),
            number_arg(&args, 3, 64) as usize,
            u64::from(number_arg(&args, 4, 1000)),
        ),
        "count" => count(text_arg(&args, 2), u64::from(number_arg(&args, 3, 1000))),
        "load" => load(text_arg(&args, 2), u64::from(number_arg(&args, 3, 1000))),
        other => panic!("bench-contend: unknown part '{other}' (run, probe, count, load)"),
    }
    0
}

struct Phase {
    name: &'static str,
    counters: usize,
    loads: usize,
    seconds: u64,
    pages: usize,
}

impl Phase {
    fn run(&self) {
        let clock = Clock::new();
        let signal = Signal::create(self.name);
        let ms = self.seconds * 1000;
        let mut counters = [0 as Pid; MAX_PROCESSES];
        for pid in &mut counters[..self.counters] {
            *pid = spawn(command(format_args!("bench-contend count {} {ms}", self.name)).as_cstr());
        }
        let probe = spawn(
            command(format_args!(
                "bench-contend probe {} {} {ms}",
                self.name, self.pages
            ))
            .as_cstr(),
        );
        let mut loads = [0 as Pid; MAX_PROCESSES];
        for pid in &mut loads[..self.loads] {
            *pid = spawn(
                command(format_args!(
                    "bench-contend load {} {}",
                    self.name,
                    ms + LOAD_GRACE_MS
                ))
                .as_cstr(),
            );
        }

        let before = vm_stats();
        let minor_before = fault_latency(FaultClass::Minor);
        let start = rdtsc();
        signal.advance_to(Stage::Run);
        let loads_at = clock.after_ms(rdtsc(), LOAD_DELAY_MS);
        while rdtsc() < loads_at {}
        signal.advance_to(Stage::Load);
        assert_eq!(wait(probe), 0, "the probe failed");
        let window_ms = clock.ms(rdtsc() - start);
        let after = vm_stats();
        let mut minor = fault_latency(FaultClass::Minor);
        signal.advance_to(Stage::Stop);
        for (count, earlier) in minor.counts.iter_mut().zip(minor_before.counts) {
            *count -= earlier;
        }
        for &pid in counters[..self.counters].iter().chain(&loads[..self.loads]) {
            assert_eq!(wait(pid), 0, "a benchmark process failed");
        }
        report_kernel(self.name, window_ms, &before, &after);
        report(
            format_args!(
                "kernel-latency phase={} class={}",
                self.name,
                FaultClass::Minor.name()
            ),
            Some(&minor),
        );
    }
}

/// The stages of a phase, as the signal byte.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Wait = 0,
    Run = 1,
    Load = 2,
    Stop = 3,
}

/// The driver's start and stop signal for one phase: a [`Stage`] in the byte of file
/// `go-PHASE`. Reading it costs a disk access, so waiters look only now and then.
struct Signal {
    fd: i32,
}

impl Signal {
    fn create(phase: &str) -> Signal {
        let name = command(format_args!("go-{phase}"));
        assert!(create(name.as_cstr(), 1), "cannot create {name}");
        Signal::open(phase)
    }

    fn open(phase: &str) -> Signal {
        let name = command(format_args!("go-{phase}"));
        let fd = open(name.as_cstr());
        assert!(fd > 1, "cannot open {name}");
        Signal { fd }
    }

    fn advance_to(&self, stage: Stage) {
        seek(self.fd, 0);
        assert_eq!(write(self.fd, &[stage as u8]), 1, "cannot signal");
    }

    fn stage(&self) -> Stage {
        let mut byte = [0];
        seek(self.fd, 0);
        assert_eq!(read(self.fd, &mut byte), 1, "cannot read the signal");
        [Stage::Wait, Stage::Run, Stage::Load, Stage::Stop][usize::from(byte[0].min(3))]
    }

    /// Waits until the phase reaches `stage`, looking every 20 ms.
    fn wait_for(&self, stage: Stage, clock: &Clock) {
        while self.stage() < stage {
            let due = clock.after_ms(rdtsc(), 20);
            while rdtsc() < due {}
        }
    }
}

/// Whether some fault is waiting for the disk right now.
fn io_busy() -> bool {
    vm_stats().majors_in_flight > 0
}

/// The kernel's counters over the phase: differences, except for the gauges (frames and
/// swap slots in use, their peaks), which are values at the end.
fn report_kernel(phase: &str, window_ms: u64, before: &VmStats, after: &VmStats) {
    let mut line = rintos_user::cstr::StrBuf::<2048>::new();
    let gauges = [
        "frames-in-use",
        "shared-frames",
        "swap-free",
        "swap-total",
        "majors-in-flight",
        "frames-peak",
        "swap-used",
        "swap-used-peak",
        "tsc-per-second",
    ];
    for ((name, earlier), now) in VmStats::NAMES
        .iter()
        .zip(before.to_array())
        .zip(after.to_array())
    {
        let value = if gauges.contains(name) {
            now
        } else {
            now - earlier
        };
        let _ = core::fmt::Write::write_fmt(&mut line, format_args!(" {name}={value}"));
    }
    report(
        format_args!("kernel phase={phase} ms={window_ms}{line}"),
        None,
    );
}

fn probe(phase: &str, pages: usize, ms: u64) {
    let pages = pages.min(MAX_PROBE_PAGES);
    let clock = Clock::new();
    Signal::open(phase).wait_for(Stage::Run, &clock);
    let start = rdtsc();
    let period = clock.after_ms(0, ms) / pages.max(1) as u64;
    let (mut busy, mut quiet) = (Histogram::default(), Histogram::default());
    let area = (&raw mut PROBE_AREA).cast::<u8>();
    for page in 0..pages {
        let due = start + page as u64 * period;
        while rdtsc() < due {}
        let latency = if io_busy() { &mut busy } else { &mut quiet };
        // SAFETY: the page lies inside PROBE_AREA, which only this loop touches.
        timed(&clock, latency, || unsafe {
            ptr::write_volatile(area.add(page * PAGE_SIZE), 1)
        });
    }
    for (io, latency) in [("busy", &busy), ("quiet", &quiet)] {
        report(
            format_args!("probe phase={phase} io={io} faults={}", latency.count()),
            Some(latency),
        );
    }
}

fn count(phase: &str, ms: u64) {
    let clock = Clock::new();
    Signal::open(phase).wait_for(Stage::Run, &clock);
    let start = rdtsc();
    let end = clock.after_ms(start, ms);
    let slice = clock.after_ms(0, 50);
    // Iterations and cycles, while the disk was busy with faults and while it was not.
    let (mut busy, mut quiet) = ((0u64, 0u64), (0u64, 0u64));
    let mut iterations: u64 = 0;
    let mut slice_start = (start, 0u64);
    let mut majors_before = majors(&vm_stats());
    loop {
        // Look at the clock only now and then: the loop is the work being measured.
        for _ in 0..4096 {
            iterations = core::hint::black_box(iterations + 1);
        }
        let now = rdtsc();
        if now - slice_start.0 >= slice || now >= end {
            let stats = vm_stats();
            let majors_now = majors(&stats);
            let share = if majors_now > majors_before || stats.majors_in_flight > 0 {
                &mut busy
            } else {
                &mut quiet
            };
            share.0 += iterations - slice_start.1;
            share.1 += now - slice_start.0;
            majors_before = majors_now;
            slice_start = (now, iterations);
        }
        if now >= end {
            break;
        }
    }
    report(
        format_args!(
            "count phase={phase} busy-iterations={} busy-ms={} quiet-iterations={} quiet-ms={}",
            busy.0,
            clock.ms(busy.1),
            quiet.0,
            clock.ms(quiet.1)
        ),
        None,
    );
}

fn majors(stats: &VmStats) -> u64 {
    stats.swap_in + stats.file_read + stats.mmap_read
}

fn load(phase: &str, ms: u64) {
    let clock = Clock::new();
    let signal = Signal::open(phase);
    let fd = open(c"load.dat");
    assert!(fd > 1, "bench-contend load: cannot open load.dat");
    let pages = (filesize(fd) as usize / PAGE_SIZE).min(MAX_LOAD_PAGES);
    assert!(pages > 0, "bench-contend load: load.dat is empty");
    rintos_user::random::init(rdtsc() as u32);
    let mut order = [0u16; MAX_LOAD_PAGES];
    for (index, page) in order[..pages].iter_mut().enumerate() {
        *page = index as u16;
    }
    signal.wait_for(Stage::Load, &clock);
    let start = rdtsc();
    let end = clock.after_ms(start, ms);
    let mut latency = Histogram::default();
    let mut touches = 0u64;
    while signal.stage() == Stage::Load && rdtsc() < end {
        let mapping = mmap(fd, LOAD_ADDRESS);
        assert!(mapping >= 0, "bench-contend load: cannot map load.dat");
        rintos_user::random::shuffle(&mut order[..pages]);
        for &page in &order[..pages] {
            // SAFETY: the page lies inside the mapping, which is readable.
            timed(&clock, &mut latency, || unsafe {
                ptr::read_volatile((LOAD_ADDRESS + usize::from(page) * PAGE_SIZE) as *const u8);
            });
            touches += 1;
        }
        munmap(mapping);
    }
    close(fd);
    report(
        format_args!(
            "load phase={phase} touches={touches} ms={}",
            clock.ms(rdtsc() - start)
        ),
        Some(&latency),
    );
}
