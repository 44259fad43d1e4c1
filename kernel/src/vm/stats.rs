//! Counters of the virtual-memory system, and latency histograms of faults by class. A
//! fault is counted once, when it completes (a retry inside the fault path is not a second
//! fault). The counters reach user programs through `vm_stats`, the histograms through
//! `fault_latency`, and both are printed at power-off.

use alloc::string::String;
use core::fmt;
use core::future::{Future, poll_fn};
use core::pin::Pin;

use conquer_once::spin::OnceCell;
use rintos_abi::latency::{self, FaultClass, Histogram};

use super::frame::Eviction;
use super::usermem::{BadAddress, UserMemory};
use crate::arch::locked_u64::LockedU64;
use crate::println;

/// How a fault was resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// Minor: a new zero page (bss, stack growth).
    ZeroFill,
    /// Minor: the page was already in memory (another fault brought it in first).
    Resident,
    /// Minor: another process's frame holds the same read-only executable page.
    Shared,
    /// Major: read back from swap.
    SwapIn,
    /// Major: read from the executable.
    FileRead,
    /// Major: read from a memory-mapped file.
    MmapRead,
}

impl FaultKind {
    pub fn is_major(self) -> bool {
        matches!(self, FaultKind::SwapIn | FaultKind::FileRead | FaultKind::MmapRead)
    }
}

static PAGE_FAULTS: LockedU64 = LockedU64::new(0);
static BY_KIND: [LockedU64; 6] = [const { LockedU64::new(0) }; 6];
static COLLISIONS: LockedU64 = LockedU64::new(0);
static RETRIES: LockedU64 = LockedU64::new(0);
static EVICTIONS_CLEAN: LockedU64 = LockedU64::new(0);
static EVICTIONS_DIRTY: LockedU64 = LockedU64::new(0);
static SWAP_CACHE_HITS: LockedU64 = LockedU64::new(0);
static READ_AHEAD_HITS: LockedU64 = LockedU64::new(0);
static CLEAN_AHEAD_WRITES: LockedU64 = LockedU64::new(0);
static READ_AHEAD_WASTED: LockedU64 = LockedU64::new(0);
static LOAD_CONTROL_WAITS: LockedU64 = LockedU64::new(0);
static EXECUTOR_FILLS: LockedU64 = LockedU64::new(0);

/// Every page-fault exception, valid or not (the classic `Exception:` line).
pub fn count_exception() {
    PAGE_FAULTS.fetch_add(1);
}

pub fn page_faults() -> u64 {
    PAGE_FAULTS.load()
}

fn count_fault(kind: FaultKind) {
    BY_KIND[kind as usize].fetch_add(1);
}

/// A fault found the page's fill or eviction in flight and waited for it.
pub fn count_collision() {
    COLLISIONS.fetch_add(1);
}

/// A fault had to start over after waiting (the state it found had changed).
pub fn count_retry() {
    RETRIES.fetch_add(1);
}

/// An eviction that made room for a fault, or for a page read ahead.
pub fn count_eviction(eviction: Eviction) {
    match eviction {
        Eviction::None => {}
        Eviction::Clean => {
            EVICTIONS_CLEAN.fetch_add(1);
        }
        Eviction::Dirty => {
            EVICTIONS_DIRTY.fetch_add(1);
        }
    }
}

/// An eviction dropped a page whose swap slot still held it.
pub fn count_swap_cache_hit() {
    SWAP_CACHE_HITS.fetch_add(1);
}

/// The pageout task wrote `pages` pages to swap ahead of need.
pub fn count_clean_ahead_writes(pages: usize) {
    CLEAN_AHEAD_WRITES.fetch_add(pages as u64);
}

/// A fault found its page already read ahead.
pub fn count_read_ahead_hit() {
    READ_AHEAD_HITS.fetch_add(1);
}

/// A page read ahead was evicted or freed before any fault used it.
pub fn count_read_ahead_wasted() {
    READ_AHEAD_WASTED.fetch_add(1);
}

/// A fault waited for another process's turn to write pages out (see `loadcontrol`).
pub fn count_load_control_wait() {
    LOAD_CONTROL_WAITS.fetch_add(1);
}

/// A major fault's fill was handed to the kernel executor.
pub fn count_executor_fill() {
    EXECUTOR_FILLS.fetch_add(1);
}

/// Faults waiting for the disk right now (reading a page in, or writing a victim out).
static FAULT_IO_IN_FLIGHT: LockedU64 = LockedU64::new(0);
static MINOR_DURING_MAJOR: LockedU64 = LockedU64::new(0);
static USER_TICKS_DURING_MAJOR: LockedU64 = LockedU64::new(0);

/// Marks a fault's disk I/O as in flight for as long as it lives.
pub struct FaultIo(());

impl FaultIo {
    pub fn begin() -> FaultIo {
        FAULT_IO_IN_FLIGHT.fetch_add(1);
        FaultIo(())
    }
}

impl Drop for FaultIo {
    fn drop(&mut self) {
        FAULT_IO_IN_FLIGHT.fetch_sub(1);
    }
}

/// Called on every timer tick: counts user time that overlaps fault I/O, which is what the
/// asynchronous fault path buys.
pub fn on_tick(from_user: bool) {
    if from_user && FAULT_IO_IN_FLIGHT.load() > 0 {
        USER_TICKS_DURING_MAJOR.fetch_add(1);
    }
}

/// How a fault ended, for [`record_fault`].
pub struct Completed {
    pub kind: FaultKind,
    pub eviction: Eviction,
    /// This fault itself did I/O (a page read, or a dirty page written out to make room).
    pub waited_for_disk: bool,
    /// Its thread parked at least once (I/O, another fault's fill, a busy frame).
    pub deferred: bool,
    /// TSC cycles from the exception to the resolution.
    pub cycles: u64,
}

static DEFERRED: LockedU64 = LockedU64::new(0);
/// One latency histogram per [`FaultClass`], counts per [`latency`] bucket.
static LATENCY: [[LockedU64; latency::BUCKETS]; FaultClass::COUNT] =
    [const { [const { LockedU64::new(0) }; latency::BUCKETS] }; FaultClass::COUNT];
/// Nanoseconds per TSC cycle as a 32.32 fixed-point number, computed on first use: a
/// multiplication per fault instead of a 128-bit division. Set once, then read without a
/// lock on every fault.
static NS_PER_CYCLE_Q32: OnceCell<u64> = OnceCell::uninit();

fn cycles_to_ns(cycles: u64) -> u64 {
    let scale = *NS_PER_CYCLE_Q32.get_or_init(|| crate::devices::timer::tsc_to_ns(1 << 32));
    ((u128::from(cycles) * u128::from(scale)) >> 32) as u64
}

fn class_of(kind: FaultKind, eviction: Eviction) -> FaultClass {
    let eviction = match eviction {
        Eviction::None => 0,
        Eviction::Clean => 1,
        Eviction::Dirty => 2,
    };
    FaultClass::of(kind.is_major(), eviction)
}

/// Counts a completed fault, once, and adds its latency to its class's histogram.
pub fn record_fault(fault: Completed) {
    count_fault(fault.kind);
    count_eviction(fault.eviction);
    if fault.deferred {
        DEFERRED.fetch_add(1);
    }
    if !fault.kind.is_major() && !fault.waited_for_disk && FAULT_IO_IN_FLIGHT.load() > 0 {
        MINOR_DURING_MAJOR.fetch_add(1);
    }
    let bucket = latency::bucket_of(cycles_to_ns(fault.cycles));
    LATENCY[class_of(fault.kind, fault.eviction) as usize][bucket].fetch_add(1);
}

/// Runs `future`, noting whether it ever returned `Pending` (the fault was deferred). It
/// takes the future pinned where it was made: moving a fault future (hundreds of bytes)
/// into a wrapper would copy it on every fault.
pub async fn watch<F: Future>(mut future: Pin<&mut F>) -> (F::Output, bool) {
    let mut deferred = false;
    let output = poll_fn(|cx| {
        let poll = future.as_mut().poll(cx);
        deferred |= poll.is_pending();
        poll
    })
    .await;
    (output, deferred)
}

static FRAMES_IN_USE: LockedU64 = LockedU64::new(0);
static FRAMES_PEAK: LockedU64 = LockedU64::new(0);
static SWAP_USED: LockedU64 = LockedU64::new(0);
static SWAP_USED_PEAK: LockedU64 = LockedU64::new(0);

/// The frame table took a frame from the pool (`taken`) or gave one back.
pub fn note_frame(taken: bool) {
    note_use(&FRAMES_IN_USE, &FRAMES_PEAK, taken);
}

/// The swap table took a slot (`taken`) or freed one.
pub fn note_swap_slot(taken: bool) {
    note_use(&SWAP_USED, &SWAP_USED_PEAK, taken);
}

fn note_use(current: &LockedU64, peak: &LockedU64, taken: bool) {
    if taken {
        let now = current.fetch_add(1) + 1;
        peak.fetch_max(now);
    } else {
        current.fetch_sub(1);
    }
}

/// The histogram of one class, as it stands now.
pub fn histogram(class: FaultClass) -> Histogram {
    let mut histogram = Histogram::default();
    for (count, cell) in histogram.counts.iter_mut().zip(&LATENCY[class as usize]) {
        *count = cell.load();
    }
    histogram
}

/// The counters of the `vm_stats` system call.
pub fn snapshot() -> rintos_abi::VmStats {
    let kind = |kind: FaultKind| BY_KIND[kind as usize].load();
    rintos_abi::VmStats {
        page_faults: page_faults(),
        zero_fill: kind(FaultKind::ZeroFill),
        resident: kind(FaultKind::Resident),
        shared: kind(FaultKind::Shared),
        swap_in: kind(FaultKind::SwapIn),
        file_read: kind(FaultKind::FileRead),
        mmap_read: kind(FaultKind::MmapRead),
        collisions: COLLISIONS.load(),
        retries: RETRIES.load(),
        evictions_clean: EVICTIONS_CLEAN.load(),
        evictions_dirty: EVICTIONS_DIRTY.load(),
        swap_outs: super::swap::SWAP_OUTS.load(),
        swap_ins: super::swap::SWAP_INS.load(),
        frames_in_use: super::frame::frames_in_use() as u64,
        shared_frames: super::share::shared_frames() as u64,
        swap_free: super::swap::free_slots() as u64,
        swap_total: super::swap::total_slots() as u64,
        minor_during_major: MINOR_DURING_MAJOR.load(),
        user_ticks_during_major: USER_TICKS_DURING_MAJOR.load(),
        majors_in_flight: FAULT_IO_IN_FLIGHT.load(),
        deferred: DEFERRED.load(),
        ata_requests: crate::devices::ata::REQUESTS.load(),
        irq_wakeups: crate::devices::ata::IRQ_WAKEUPS.load(),
        executor_polls: crate::task::POLLS.load(),
        frames_peak: FRAMES_PEAK.load(),
        swap_used: SWAP_USED.load(),
        swap_used_peak: SWAP_USED_PEAK.load(),
        tsc_per_second: crate::devices::timer::tsc_per_second(),
        cpus_online: crate::arch::percpu::online_count() as u64,
        tlb_shootdowns: crate::arch::tlb::ROUNDS.load(),
        tlb_shootdown_cpus: crate::arch::tlb::CPUS_INTERRUPTED.load(),
        frame_cache_hits: crate::memory::FRAME_CACHE_HITS.load(),
        frame_cache_refills: crate::memory::FRAME_CACHE_REFILLS.load(),
        swap_cache_hits: SWAP_CACHE_HITS.load(),
        clean_ahead_writes: CLEAN_AHEAD_WRITES.load(),
        ata_dma_requests: crate::devices::ata::DMA_REQUESTS.load(),
        read_ahead_hits: READ_AHEAD_HITS.load(),
        read_ahead_wasted: READ_AHEAD_WASTED.load(),
        load_control_waits: LOAD_CONTROL_WAITS.load(),
        executor_fills: EXECUTOR_FILLS.load(),
    }
}

/// Copies up to `size` bytes of [`snapshot`] to user memory; returns the bytes copied.
pub fn copy_to_user(memory: &UserMemory, address: usize, size: usize) -> Result<usize, BadAddress> {
    copy_words(memory, address, size, &snapshot().to_array())
}

/// The `fault_latency` system call: copies up to `size` bytes of the histogram of class
/// number `class`; -1 for a class out of range.
pub fn copy_latency_to_user(memory: &UserMemory, class: u32, address: usize, size: usize) -> Result<i32, BadAddress> {
    let Some(&class) = FaultClass::ALL.get(class as usize) else { return Ok(-1) };
    Ok(copy_words(memory, address, size, &histogram(class).counts)? as i32)
}

/// Copies up to `size` bytes of `words` (little-endian) to user memory.
fn copy_words(memory: &UserMemory, address: usize, size: usize, words: &[u64]) -> Result<usize, BadAddress> {
    let size = size.min(words.len() * 8);
    let mut bytes = [0u8; 64];
    let mut done = 0;
    for chunk in words.chunks(bytes.len() / 8) {
        if done == size {
            break;
        }
        for (slot, word) in bytes.chunks_mut(8).zip(chunk) {
            slot.copy_from_slice(&word.to_le_bytes());
        }
        let length = (size - done).min(chunk.len() * 8);
        memory.write(address + done, &bytes[..length])?;
        done += length;
    }
    Ok(done)
}

/// The power-off report, after the classic statistics: the counters, then one summary and
/// one compact histogram line (`bucket:count` pairs, see `rintos_abi::latency`) per fault
/// class that saw any fault. No line contains a word the classic checkers look for.
pub fn print_report() {
    let stats = snapshot();
    let minor = stats.zero_fill + stats.resident + stats.shared;
    let major = stats.swap_in + stats.file_read + stats.mmap_read;
    println!(
        "VM faults: {minor} minor ({} zero-fill, {} resident, {} shared), {major} major ({} swap-in, {} file, {} mmap), {} deferred, {} collisions, {} retries",
        stats.zero_fill, stats.resident, stats.shared, stats.swap_in, stats.file_read, stats.mmap_read, stats.deferred,
        stats.collisions, stats.retries
    );
    println!(
        "VM evictions: {} clean, {} dirty; swap: {} outs, {} ins, {} slots in use (peak {}) of {}",
        stats.evictions_clean,
        stats.evictions_dirty,
        stats.swap_outs,
        stats.swap_ins,
        stats.swap_used,
        stats.swap_used_peak,
        stats.swap_total
    );
    println!(
        "VM paging: {} swap-cache hits, {} clean-ahead writes, {} read-ahead hits, {} read-ahead wasted, {} load-control waits",
        stats.swap_cache_hits, stats.clean_ahead_writes, stats.read_ahead_hits, stats.read_ahead_wasted, stats.load_control_waits
    );
    println!(
        "VM frames: {} in use (peak {}); ATA: {} requests ({} by DMA), {} IRQ wake-ups; executor: {} polls, {} fault fills",
        stats.frames_in_use,
        stats.frames_peak,
        stats.ata_requests,
        stats.ata_dma_requests,
        stats.irq_wakeups,
        stats.executor_polls,
        stats.executor_fills
    );
    let shootdown_ns = crate::devices::timer::tsc_to_ns(crate::arch::tlb::CYCLES.load());
    println!(
        "VM CPUs: {} online; TLB shootdowns: {} rounds, {} CPUs interrupted, {} us in all; frame caches: {} hits, {} refills",
        stats.cpus_online,
        stats.tlb_shootdowns,
        stats.tlb_shootdown_cpus,
        shootdown_ns / 1000,
        stats.frame_cache_hits,
        stats.frame_cache_refills
    );
    for class in FaultClass::ALL {
        let histogram = histogram(class);
        let (Some(p50), Some(p99), Some(max)) = (histogram.quantile(0.5), histogram.quantile(0.99), histogram.max_bound()) else {
            continue;
        };
        println!(
            "Fault latency {}: {} faults, p50 {}, p99 {}, max < {}",
            class.name(),
            histogram.count(),
            Nanoseconds(p50),
            Nanoseconds(p99),
            Nanoseconds(max)
        );
        let mut line = String::new();
        let _ = histogram.write_compact(&mut line);
        println!("Fault histogram {}: {line}", class.name());
    }
}

/// A duration in nanoseconds, printed with a unit that keeps it short.
struct Nanoseconds(u64);

impl fmt::Display for Nanoseconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = self.0;
        match ns {
            0..10_000 => write!(f, "{ns} ns"),
            10_000..10_000_000 => write!(f, "{} us", ns / 1000),
            _ => write!(f, "{} ms", ns / 1_000_000),
        }
    }
}
