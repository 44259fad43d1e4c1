//! The system timer: IRQ 0 at [`TIMER_FREQ`] Hz counts ticks (the trap router passes each
//! tick on to the scheduler, the VM statistics and the timer futures); the CPU's time-stamp
//! counter is calibrated against it for fine timing.

use core::sync::atomic::{AtomicU16, AtomicU32, AtomicU64, Ordering};

use crate::arch::{cpu, pit};

/// Timer interrupts per second.
pub const TIMER_FREQ: u64 = 100;
/// The IRQ line of the PIT.
pub const IRQ: u8 = 0;

static TICKS: AtomicU64 = AtomicU64::new(0);
static TSC_PER_SECOND: AtomicU64 = AtomicU64::new(0);
/// The PIT divisor of exactly [`TIMER_FREQ`].
static DIVISOR: AtomicU16 = AtomicU16::new(0);
/// `-jitter`: the state of the jitter's random numbers (0 = no jitter), and the time slice
/// the jittered slices average to.
static JITTER: AtomicU32 = AtomicU32::new(0);
static JITTER_SLICE: AtomicU32 = AtomicU32::new(0);

pub fn init() {
    DIVISOR.store(pit::init(TIMER_FREQ as u32), Ordering::Relaxed);
}

/// `-jitter=SEED`: from now on every tick lasts between half and one and a half of its
/// normal length, and the time slice is redrawn between 1 and twice `slice` ticks, so that
/// threads are preempted at different places in every run (the average rate stays
/// [`TIMER_FREQ`]). Enable it after [`calibrate_tsc`], which needs regular ticks.
pub fn enable_jitter(seed: u32, slice: u32) {
    JITTER_SLICE.store(slice.max(1), Ordering::Relaxed);
    JITTER.store(seed.max(1), Ordering::Relaxed);
}

/// The next number of the jitter's xorshift generator; only the timer interrupt calls it.
fn jitter_random() -> Option<u32> {
    let mut state = JITTER.load(Ordering::Relaxed);
    if state == 0 {
        return None;
    }
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    JITTER.store(state, Ordering::Relaxed);
    Some(state)
}

/// Timer ticks since boot.
pub fn ticks() -> u64 {
    TICKS.load(Ordering::Relaxed)
}

/// What one tick of the timer means for the rest of the kernel.
pub struct Tick {
    /// Ticks since boot, this one included.
    pub now: u64,
    /// With `-jitter`, the time slice to use from now on (in ticks).
    pub new_time_slice: Option<u32>,
}

/// IRQ 0: counts the tick (and with `-jitter`, draws the length of the next one).
pub fn interrupt() -> Tick {
    let now = TICKS.fetch_add(1, Ordering::Relaxed) + 1;
    let new_time_slice = jitter_random().map(|random| {
        let divisor = u32::from(DIVISOR.load(Ordering::Relaxed));
        pit::set_divisor((divisor / 2 + random % (divisor + 1)) as u16);
        let slice = JITTER_SLICE.load(Ordering::Relaxed);
        1 + (random >> 16) % (2 * slice)
    });
    Tick { now, new_time_slice }
}

/// Sleeps the calling thread for `ticks` timer ticks without busy-waiting.
pub fn sleep(ticks: u64) {
    crate::task::block_on(crate::task::timer::sleep(ticks));
}

/// Measures how fast the time-stamp counter runs, over a few ticks of the PIT (interrupts
/// must be on). Returns cycles per second.
pub fn calibrate_tsc() -> u64 {
    const SAMPLE_TICKS: u64 = 5;
    let start_tick = ticks() + 1;
    while ticks() < start_tick {
        core::hint::spin_loop();
    }
    let start = cpu::rdtsc();
    while ticks() < start_tick + SAMPLE_TICKS {
        core::hint::spin_loop();
    }
    let per_second = (cpu::rdtsc() - start) * TIMER_FREQ / SAMPLE_TICKS;
    TSC_PER_SECOND.store(per_second, Ordering::Relaxed);
    per_second
}

/// TSC cycles per second as measured by [`calibrate_tsc`] (0 before).
pub fn tsc_per_second() -> u64 {
    TSC_PER_SECOND.load(Ordering::Relaxed)
}

/// Converts a time-stamp-counter difference to nanoseconds (0 before calibration).
pub fn tsc_to_ns(cycles: u64) -> u64 {
    let per_second = TSC_PER_SECOND.load(Ordering::Relaxed);
    if per_second == 0 { 0 } else { (u128::from(cycles) * 1_000_000_000 / u128::from(per_second)) as u64 }
}
