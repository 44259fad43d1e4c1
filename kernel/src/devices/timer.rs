//! The system timer. At boot the PIT (IRQ 0) ticks at [`TIMER_FREQ`] Hz while the CPU's
//! time-stamp counter and the local APIC's timer are measured against it; then every CPU's
//! own APIC timer takes over at the same rate, on the same vector. The boot CPU's ticks are
//! the kernel's time; the trap router passes each CPU's tick on to the scheduler and the VM
//! statistics, and the boot CPU's to the timer futures.

use core::sync::atomic::{AtomicU32, Ordering};

use crate::arch::locked_u64::LockedU64;
use crate::arch::pic::IRQ_BASE;
use crate::arch::{apic, cpu, percpu, pit};

/// Timer interrupts per second.
pub const TIMER_FREQ: u64 = 100;
/// The ISA line of the PIT, and the vector every CPU's timer interrupts on.
pub const IRQ: u8 = 0;
const VECTOR: u8 = IRQ_BASE + IRQ;

static TICKS: LockedU64 = LockedU64::new(0);
static TSC_PER_SECOND: LockedU64 = LockedU64::new(0);
/// `-jitter`: the state of the jitter's random numbers (0 = no jitter), and the time slice
/// the jittered slices average to.
static JITTER: AtomicU32 = AtomicU32::new(0);
static JITTER_SLICE: AtomicU32 = AtomicU32::new(0);

/// Starts the PIT, which ticks until [`switch_to_local_timers`].
pub fn init() {
    pit::init(TIMER_FREQ as u32);
}

/// `-jitter=SEED`: from now on every tick lasts between half and one and a half of its
/// normal length, and the time slice is redrawn between 1 and twice `slice` ticks, so that
/// threads are preempted at different places in every run (the average rate stays
/// [`TIMER_FREQ`]). Enable it after [`calibrate`], which needs regular ticks.
pub fn enable_jitter(seed: u32, slice: u32) {
    JITTER_SLICE.store(slice.max(1), Ordering::Relaxed);
    JITTER.store(seed.max(1), Ordering::Relaxed);
}

/// The next number of the jitter's xorshift generator (shared by the CPUs' timers).
fn jitter_random() -> Option<u32> {
    let next = |mut state: u32| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state
    };
    let previous = JITTER.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |state| (state != 0).then(|| next(state))).ok()?;
    Some(next(previous))
}

/// Timer ticks since boot.
pub fn ticks() -> u64 {
    TICKS.load()
}

/// What one tick of a CPU's timer means for the rest of the kernel.
pub struct Tick {
    /// On the boot CPU, the kernel's time moved on: ticks since boot, this one included.
    pub advanced_to: Option<u64>,
    /// With `-jitter`, the time slice to use from now on (in ticks).
    pub new_time_slice: Option<u32>,
}

/// A tick of this CPU's timer: the boot CPU's counts (and with `-jitter`, every CPU draws
/// the length of its next tick).
pub fn interrupt() -> Tick {
    let advanced_to = (percpu::id() == 0).then(|| TICKS.fetch_add(1) + 1);
    let new_time_slice = jitter_random().map(|random| {
        apic::start_timer(VECTOR, 50 + random % 101);
        let slice = JITTER_SLICE.load(Ordering::Relaxed);
        1 + (random >> 16) % (2 * slice)
    });
    Tick { advanced_to, new_time_slice }
}

/// Sleeps the calling thread for `ticks` timer ticks without busy-waiting.
pub fn sleep(ticks: u64) {
    crate::task::block_on(crate::task::timer::sleep(ticks));
}

/// Measures how fast the time-stamp counter and the local APIC's timer run, over a few
/// ticks of the PIT (interrupts must be on). Returns TSC cycles per second.
pub fn calibrate() -> u64 {
    const SAMPLE_TICKS: u64 = 5;
    let start_tick = ticks() + 1;
    while ticks() < start_tick {
        core::hint::spin_loop();
    }
    let start = cpu::rdtsc();
    apic::start_timer_measurement();
    while ticks() < start_tick + SAMPLE_TICKS {
        core::hint::spin_loop();
    }
    let per_second = (cpu::rdtsc() - start) * TIMER_FREQ / SAMPLE_TICKS;
    apic::set_timer_period(apic::timer_elapsed() / SAMPLE_TICKS as u32);
    TSC_PER_SECOND.store(per_second);
    per_second
}

/// Starts this CPU's local timer. On the boot CPU, after [`calibrate`], it takes over from
/// the PIT, whose line is masked.
pub fn start_local_timer() {
    if percpu::id() == 0 {
        apic::mask_isa(IRQ);
    }
    apic::start_timer(VECTOR, 100);
}

/// TSC cycles per second as measured by [`calibrate_tsc`] (0 before).
pub fn tsc_per_second() -> u64 {
    TSC_PER_SECOND.load()
}

/// Converts a time-stamp-counter difference to nanoseconds (0 before calibration).
pub fn tsc_to_ns(cycles: u64) -> u64 {
    let per_second = TSC_PER_SECOND.load();
    if per_second == 0 { 0 } else { (u128::from(cycles) * 1_000_000_000 / u128::from(per_second)) as u64 }
}
