//! The swap table: which page-sized slots of the swap device hold a page. A slot is taken
//! only when a dirty page is evicted. Read back, the page keeps its slot for as long as it
//! stays clean (the swap cache: evicting it again writes nothing); the slot is freed when the
//! page is found dirty, and when its process ends or unmaps it.

use alloc::boxed::Box;
use alloc::vec;
use core::sync::atomic::{AtomicU64, Ordering};

use conquer_once::spin::OnceCell;
use rintos_vmcore::bitmap::Bitmap;

use crate::devices::ata::SECTOR_SIZE;
use crate::devices::block::{self, BlockDevice, Role};
use crate::memory::PAGE_SIZE;
use crate::sync::SpinLock;

const SECTORS_PER_SLOT: u32 = (PAGE_SIZE / SECTOR_SIZE) as u32;

/// A page-sized place on the swap device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SwapSlot(u32);

struct Swap {
    device: &'static BlockDevice,
    used: SpinLock<Bitmap<'static>>,
}

static SWAP: OnceCell<Swap> = OnceCell::uninit();
/// Pages written to and read from swap (statistics).
pub static SWAP_OUTS: AtomicU64 = AtomicU64::new(0);
pub static SWAP_INS: AtomicU64 = AtomicU64::new(0);

/// Finds the swap device, if there is one.
pub fn init() {
    let Some(device) = block::by_role(Role::Swap) else { return };
    let slots = (device.sectors() / SECTORS_PER_SLOT) as usize;
    let words: &'static mut [u32] = Box::leak(vec![0u32; slots.div_ceil(32)].into_boxed_slice());
    SWAP.init_once(|| Swap { device, used: SpinLock::new("swap table", Bitmap::new(words, slots)) });
}

/// Takes a free slot; `None` when swap is full (or there is no swap device).
pub fn allocate() -> Option<SwapSlot> {
    let slot = SWAP.get()?.used.lock().allocate(1, 1)?;
    super::stats::note_swap_slot(true);
    Some(SwapSlot(slot as u32))
}

/// Returns a slot.
pub fn free(slot: SwapSlot) {
    let swap = SWAP.get().expect("a slot exists, so swap does");
    swap.used.lock().release(slot.0 as usize, 1);
    super::stats::note_swap_slot(false);
}

/// Slots free now.
pub fn free_slots() -> usize {
    SWAP.get().map_or(0, |swap| {
        let used = swap.used.lock();
        used.len() - used.count_set()
    })
}

/// Slots on the swap device.
pub fn total_slots() -> usize {
    SWAP.get().map_or(0, |swap| swap.used.lock().len())
}

/// Writes a page to `slot`.
pub async fn write(slot: SwapSlot, page: &[u8]) -> Result<(), crate::devices::ata::DiskError> {
    let swap = SWAP.get().expect("a slot exists, so swap does");
    SWAP_OUTS.fetch_add(1, Ordering::Relaxed);
    swap.device.write(slot.0 * SECTORS_PER_SLOT, page).await
}

/// Reads the page in `slot`.
pub async fn read(slot: SwapSlot, page: &mut [u8]) -> Result<(), crate::devices::ata::DiskError> {
    let swap = SWAP.get().expect("a slot exists, so swap does");
    SWAP_INS.fetch_add(1, Ordering::Relaxed);
    swap.device.read(slot.0 * SECTORS_PER_SLOT, page).await
}
