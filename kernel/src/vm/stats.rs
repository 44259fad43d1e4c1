//! Counters of the virtual-memory system. A fault is counted once, when it completes.

use core::sync::atomic::{AtomicU64, Ordering};

use super::frame::Eviction;

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

static PAGE_FAULTS: AtomicU64 = AtomicU64::new(0);
static BY_KIND: [AtomicU64; 6] = [const { AtomicU64::new(0) }; 6];
static COLLISIONS: AtomicU64 = AtomicU64::new(0);
static RETRIES: AtomicU64 = AtomicU64::new(0);
static EVICTIONS_CLEAN: AtomicU64 = AtomicU64::new(0);
static EVICTIONS_DIRTY: AtomicU64 = AtomicU64::new(0);

/// Every page-fault exception, valid or not (the classic `Exception:` line).
pub fn count_exception() {
    PAGE_FAULTS.fetch_add(1, Ordering::Relaxed);
}

pub fn page_faults() -> u64 {
    PAGE_FAULTS.load(Ordering::Relaxed)
}

/// A fault resolved as `kind`.
pub fn count_fault(kind: FaultKind) {
    BY_KIND[kind as usize].fetch_add(1, Ordering::Relaxed);
}

/// A fault found the page's fill or eviction in flight and waited for it.
pub fn count_collision() {
    COLLISIONS.fetch_add(1, Ordering::Relaxed);
}

/// A fault had to start over after waiting (the state it found had changed).
pub fn count_retry() {
    RETRIES.fetch_add(1, Ordering::Relaxed);
}

pub fn count_eviction_for_fault(eviction: Eviction) {
    match eviction {
        Eviction::None => {}
        Eviction::Clean => {
            EVICTIONS_CLEAN.fetch_add(1, Ordering::Relaxed);
        }
        Eviction::Dirty => {
            EVICTIONS_DIRTY.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Faults waiting for the disk right now (reading a page in, or writing a victim out).
static FAULT_IO_IN_FLIGHT: AtomicU64 = AtomicU64::new(0);
static MINOR_DURING_MAJOR: AtomicU64 = AtomicU64::new(0);
static USER_TICKS_DURING_MAJOR: AtomicU64 = AtomicU64::new(0);

/// Marks a fault's disk I/O as in flight for as long as it lives.
pub struct FaultIo(());

impl FaultIo {
    pub fn begin() -> FaultIo {
        FAULT_IO_IN_FLIGHT.fetch_add(1, Ordering::Relaxed);
        FaultIo(())
    }
}

impl Drop for FaultIo {
    fn drop(&mut self) {
        FAULT_IO_IN_FLIGHT.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Called on every timer tick: counts user time that overlaps fault I/O, which is what the
/// asynchronous fault path buys.
pub fn on_tick(from_user: bool) {
    if from_user && FAULT_IO_IN_FLIGHT.load(Ordering::Relaxed) > 0 {
        USER_TICKS_DURING_MAJOR.fetch_add(1, Ordering::Relaxed);
    }
}

/// A completed fault of `kind` that took `cycles` TSC cycles from the exception to its
/// resolution; `waited_for_disk` says whether this fault itself did I/O.
pub fn record_fault(kind: FaultKind, waited_for_disk: bool, _cycles: u64) {
    count_fault(kind);
    if !kind.is_major() && !waited_for_disk && FAULT_IO_IN_FLIGHT.load(Ordering::Relaxed) > 0 {
        MINOR_DURING_MAJOR.fetch_add(1, Ordering::Relaxed);
    }
}

/// The counters of the `vm_stats` system call.
pub fn snapshot() -> rintos_abi::VmStats {
    let kind = |kind: FaultKind| BY_KIND[kind as usize].load(Ordering::Relaxed);
    rintos_abi::VmStats {
        page_faults: page_faults(),
        zero_fill: kind(FaultKind::ZeroFill),
        resident: kind(FaultKind::Resident),
        shared: kind(FaultKind::Shared),
        swap_in: kind(FaultKind::SwapIn),
        file_read: kind(FaultKind::FileRead),
        mmap_read: kind(FaultKind::MmapRead),
        collisions: COLLISIONS.load(Ordering::Relaxed),
        retries: RETRIES.load(Ordering::Relaxed),
        evictions_clean: EVICTIONS_CLEAN.load(Ordering::Relaxed),
        evictions_dirty: EVICTIONS_DIRTY.load(Ordering::Relaxed),
        swap_outs: super::swap::SWAP_OUTS.load(Ordering::Relaxed),
        swap_ins: super::swap::SWAP_INS.load(Ordering::Relaxed),
        frames_in_use: super::frame::frames_in_use() as u64,
        shared_frames: super::share::shared_frames() as u64,
        swap_free: super::swap::free_slots() as u64,
        swap_total: super::swap::total_slots() as u64,
        minor_during_major: MINOR_DURING_MAJOR.load(Ordering::Relaxed),
        user_ticks_during_major: USER_TICKS_DURING_MAJOR.load(Ordering::Relaxed),
        majors_in_flight: FAULT_IO_IN_FLIGHT.load(Ordering::Relaxed),
    }
}

/// Copies up to `size` bytes of [`snapshot`] to user memory; returns the bytes copied.
pub fn copy_to_user(memory: &super::usermem::UserMemory, address: usize, size: usize) -> Result<usize, super::usermem::BadAddress> {
    let mut bytes = [0u8; rintos_abi::VmStats::FIELDS * 8];
    for (chunk, value) in bytes.chunks_mut(8).zip(snapshot().to_array()) {
        chunk.copy_from_slice(&value.to_le_bytes());
    }
    let size = size.min(bytes.len());
    memory.write(address, &bytes[..size])?;
    Ok(size)
}
