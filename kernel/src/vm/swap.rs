//! The swap table: which page-sized slots of the swap device hold a page. A slot is taken
//! only when a dirty page is evicted. Read back, the page keeps its slot for as long as it
//! stays clean (the swap cache: evicting it again writes nothing); the slot is freed when the
//! page is found dirty, and when its process ends or unmaps it. A slot the disk failed to
//! read or write is retired: it stays taken for good, so no other page is ever put there.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};

use conquer_once::spin::OnceCell;
use rintos_vmcore::bitmap::Bitmap;

use crate::arch::locked_u64::LockedU64;
use crate::devices::ata::{DiskError, SECTOR_SIZE};
use crate::devices::block::{self, BlockDevice, Role};
use crate::memory::PAGE_SIZE;
use crate::sync::SpinLock;

const SECTORS_PER_SLOT: u32 = (PAGE_SIZE / SECTOR_SIZE) as u32;

/// A page-sized place on the swap device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SwapSlot(u32);

impl SwapSlot {
    /// The slot `pages` after this one.
    pub fn plus(self, pages: usize) -> SwapSlot {
        SwapSlot(self.0 + pages as u32)
    }
}

struct Swap {
    device: &'static BlockDevice,
    /// Slots that hold a page, and retired slots.
    used: SpinLock<Bitmap<'static>>,
}

static SWAP: OnceCell<Swap> = OnceCell::uninit();
/// Pages written to and read from swap (statistics).
pub static SWAP_OUTS: LockedU64 = LockedU64::new(0);
pub static SWAP_INS: LockedU64 = LockedU64::new(0);
/// Slots retired after a disk error.
static RETIRED: LockedU64 = LockedU64::new(0);
/// The swap device timed out: nothing is written to it any more.
static STOPPED: AtomicBool = AtomicBool::new(false);

/// Finds the swap device, if there is one.
pub fn init() {
    let Some(device) = block::by_role(Role::Swap) else { return };
    let slots = (device.sectors() / SECTORS_PER_SLOT) as usize;
    let words: &'static mut [u32] = Box::leak(vec![0u32; slots.div_ceil(32)].into_boxed_slice());
    SWAP.init_once(|| Swap { device, used: SpinLock::new("swap table", Bitmap::new(words, slots)) });
}

/// Takes a free slot; `None` when swap is full (or there is no swap device, or it stopped
/// answering).
pub fn allocate() -> Option<SwapSlot> {
    if STOPPED.load(Ordering::Relaxed) {
        return None;
    }
    let slot = SWAP.get()?.used.lock().allocate(1, 1)?;
    super::stats::note_swap_slot(true);
    Some(SwapSlot(slot as u32))
}

/// Takes up to `wanted` free slots in a row (fewer if no run that long is free), for pages
/// written in one request; `None` when no slot is free.
pub fn allocate_run(wanted: usize) -> Option<(SwapSlot, usize)> {
    if STOPPED.load(Ordering::Relaxed) {
        return None;
    }
    let (first, count) = SWAP.get()?.used.lock().allocate_run(wanted)?;
    for _ in 0..count {
        super::stats::note_swap_slot(true);
    }
    Some((SwapSlot(first as u32), count))
}

/// Returns a slot.
pub fn free(slot: SwapSlot) {
    let swap = SWAP.get().expect("a slot exists, so swap does");
    swap.used.lock().release(slot.0 as usize, 1);
    super::stats::note_swap_slot(false);
}

/// Takes `slot` out of use for good: the disk failed on it. Its page, if any, has been
/// dealt with by the caller.
pub fn retire(slot: SwapSlot, error: DiskError) {
    RETIRED.fetch_add(1);
    super::stats::note_swap_slot(false);
    crate::println!("swap: slot {} retired: {error}", slot.0);
}

/// Slots that hold no page: the free ones and the retired ones (which the disk took, and
/// which the leak check must not count as held by a page).
pub fn free_slots() -> usize {
    SWAP.get().map_or(0, |swap| {
        let used = swap.used.lock();
        used.len() - used.count_set() + RETIRED.load() as usize
    })
}

/// Whether every slot is taken (by a page, a clean copy, or for good).
pub fn is_full() -> bool {
    SWAP.get().is_some_and(|swap| {
        let used = swap.used.lock();
        used.count_set() == used.len()
    })
}

/// Slots on the swap device.
pub fn total_slots() -> usize {
    SWAP.get().map_or(0, |swap| swap.used.lock().len())
}

/// Writes whole pages to the slots from `first` on, in one request.
async fn write_at(first: SwapSlot, pages: &[u8]) -> Result<(), DiskError> {
    let swap = SWAP.get().expect("a slot exists, so swap does");
    SWAP_OUTS.fetch_add((pages.len() / PAGE_SIZE) as u64);
    swap.device.write(first.0 * SECTORS_PER_SLOT, pages).await
}

/// Ends swapping for good: the disk stopped answering. Every slot counts as taken from
/// then on.
fn stop(error: DiskError) {
    if !STOPPED.swap(true, Ordering::Relaxed) {
        let swap = SWAP.get().expect("a slot exists, so swap does");
        crate::println!("swap: {}: {error}; no more swapping", swap.device.name);
    }
}

/// Writes a page to `slot`, or if the disk fails there, retires it and tries further free
/// slots. Returns the slot that holds the page, or `None` when no slot took it (the page
/// must then stay in memory). A disk that stops answering ends swapping for good.
pub async fn write(mut slot: SwapSlot, page: &[u8]) -> Option<SwapSlot> {
    loop {
        match write_at(slot, page).await {
            Ok(()) => return Some(slot),
            Err(error) => {
                retire(slot, error);
                if error != DiskError::Device {
                    stop(error);
                    return None;
                }
            }
        }
        slot = allocate()?;
    }
}

/// Writes whole pages to the slots from `first` on (taken by [`allocate_run`]) in one
/// request, and returns where each page is now, `None` for a page no slot took. If the disk
/// fails on the request, each page is written again alone, as by [`write`], so that only the
/// slot the disk refuses is retired.
pub async fn write_run(first: SwapSlot, pages: &[u8]) -> Vec<Option<SwapSlot>> {
    let count = pages.len() / PAGE_SIZE;
    match write_at(first, pages).await {
        Ok(()) => (0..count).map(|page| Some(first.plus(page))).collect(),
        Err(DiskError::Device) => {
            let mut placed = Vec::with_capacity(count);
            for (page, content) in pages.chunks(PAGE_SIZE).enumerate() {
                placed.push(write(first.plus(page), content).await);
            }
            placed
        }
        Err(error) => {
            retire(first, error);
            stop(error);
            (1..count).for_each(|page| free(first.plus(page)));
            vec![None; count]
        }
    }
}

/// Reads the page in `slot`. The slot stays taken (the frame the page goes to keeps it as
/// the page's clean copy), or is retired if the read failed (the page is then lost).
pub async fn read(slot: SwapSlot, page: &mut [u8]) -> Result<(), DiskError> {
    let result = try_read(slot, page).await;
    if let Err(error) = result {
        retire(slot, error);
    }
    result
}

/// Reads the page in `slot`; a failure changes nothing, and the slot stays the page's. Read
/// ahead of need, a page whose read failed is read again by the fault that needs it, which
/// retires the slot if that read fails too ([`read`]).
pub async fn try_read(slot: SwapSlot, page: &mut [u8]) -> Result<(), DiskError> {
    let swap = SWAP.get().expect("a slot exists, so swap does");
    SWAP_INS.fetch_add(1);
    swap.device.read(slot.0 * SECTORS_PER_SLOT, page).await
}
