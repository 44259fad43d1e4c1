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

/// A completed fault of `kind` that took `cycles` TSC cycles from exception to completion.
pub fn record_fault(kind: FaultKind, _cycles: u64) {
    count_fault(kind);
}

/// The counters a user program reads with the `vm_stats` system call, in a fixed layout of
/// little-endian `u64`s: page faults, then faults by kind (zero-fill, resident, shared,
/// swap-in, file read, mmap read), collisions, retries, clean and dirty evictions, swap
/// outs and ins, frames in use, shared frames, free swap slots.
pub fn snapshot() -> [u64; 17] {
    let kinds: [u64; 6] = core::array::from_fn(|i| BY_KIND[i].load(Ordering::Relaxed));
    [
        page_faults(),
        kinds[0],
        kinds[1],
        kinds[2],
        kinds[3],
        kinds[4],
        kinds[5],
        COLLISIONS.load(Ordering::Relaxed),
        RETRIES.load(Ordering::Relaxed),
        EVICTIONS_CLEAN.load(Ordering::Relaxed),
        EVICTIONS_DIRTY.load(Ordering::Relaxed),
        super::swap::SWAP_OUTS.load(Ordering::Relaxed),
        super::swap::SWAP_INS.load(Ordering::Relaxed),
        super::frame::frames_in_use() as u64,
        super::share::shared_frames() as u64,
        super::swap::free_slots() as u64,
        super::swap::total_slots() as u64,
    ]
}

/// Copies up to `size` bytes of [`snapshot`] to user memory; returns the bytes copied.
pub fn copy_to_user(memory: &super::usermem::UserMemory, address: usize, size: usize) -> Result<usize, super::usermem::BadAddress> {
    let mut bytes = [0u8; 17 * 8];
    for (chunk, value) in bytes.chunks_mut(8).zip(snapshot()) {
        chunk.copy_from_slice(&value.to_le_bytes());
    }
    let size = size.min(bytes.len());
    memory.write(address, &bytes[..size])?;
    Ok(size)
}
