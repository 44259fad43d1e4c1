//! Virtual memory: demand paging with a supplemental page table, a frame table with clock
//! eviction, swap, stack growth, memory-mapped files and sharing of read-only executable
//! pages. Page faults that need I/O are futures (see `fault`); only the faulting thread
//! waits for the disk.
//!
//! Files: `page` (supplemental page table), `frame` (frame table, clock), `swap`, `share`,
//! `fault` (the fault future), `pageout` (clean-ahead on the executor), `readahead` (reading
//! pages before their faults), `loadcontrol` (whose turn it is to write pages out), `release`
//! (exit and munmap), `mmap`, `usermem` (system calls' access to user memory), `stats`.

pub mod fault;
pub mod frame;
mod loadcontrol;
pub mod mmap;
pub mod page;
pub mod pageout;
pub mod readahead;
pub mod release;
pub mod share;
pub mod stats;
pub mod swap;
pub mod usermem;

use alloc::sync::Arc;
use core::pin::pin;
use core::sync::atomic::{AtomicBool, Ordering};

use rintos_bootargs::{FaultMode, Options};

use crate::arch::cpu;
use crate::memory::{PAGE_SIZE, PHYS_BASE};
use crate::task::block_on;
use crate::threads::Mutex;
pub use fault::FaultError;
use page::{AddressSpace, Backing, Kind, Page, Residence};

static SERIAL_FAULTS: AtomicBool = AtomicBool::new(false);
static SHARING: AtomicBool = AtomicBool::new(true);
static READ_AHEAD: AtomicBool = AtomicBool::new(true);
static FILLS_ON_EXECUTOR: AtomicBool = AtomicBool::new(true);
/// The baseline of `-vm=serial`: one lock held across the whole fault, I/O included.
static SERIAL_LOCK: Mutex<()> = Mutex::new("serial fault lock", ());

pub fn init(options: &Options) {
    frame::init();
    swap::init();
    SERIAL_FAULTS.store(options.fault_mode == FaultMode::Serial, Ordering::Relaxed);
    SHARING.store(options.share_pages, Ordering::Relaxed);
    // Under `-vm=serial`, the baseline, the faults, one at a time, are the whole paging
    // system: no background task reads or writes pages beside them.
    let background = options.fault_mode == FaultMode::Async;
    if options.clean_ahead && swap::total_slots() > 0 && background {
        pageout::start();
    }
    READ_AHEAD.store(options.read_ahead && background, Ordering::Relaxed);
    loadcontrol::enable(options.load_control && background);
    FILLS_ON_EXECUTOR.store(options.fills_on_executor && background, Ordering::Relaxed);
}

/// Disk I/O of the VM's background tasks on the executor (clean-ahead, read-ahead): one task
/// at a time, while the guest lives. The disk serves one request at a time anyway, and the
/// faults' own reads, which a user program waits for, are not to queue behind a crowd of
/// guesses.
pub struct BackgroundIo(());

static BACKGROUND_IO: AtomicBool = AtomicBool::new(false);

impl BackgroundIo {
    /// The right to do disk I/O on the executor, unless another task has it. (Made only on
    /// success: a guard made and dropped on failure would give away the other task's right.)
    pub fn try_begin() -> Option<BackgroundIo> {
        (!BACKGROUND_IO.swap(true, Ordering::Acquire)).then(|| BackgroundIo(()))
    }
}

impl Drop for BackgroundIo {
    fn drop(&mut self) {
        BACKGROUND_IO.store(false, Ordering::Release);
    }
}

/// Whether read-only executable pages are shared between processes (`-share=on`).
pub fn sharing_enabled() -> bool {
    SHARING.load(Ordering::Relaxed)
}

/// Whether a fault's fill that reads the disk runs as an executor task (`-fill=executor`).
pub fn fills_on_executor() -> bool {
    FILLS_ON_EXECUTOR.load(Ordering::Relaxed)
}

/// Whether pages are read ahead of in-order faults (`-ra=on`, see `readahead`).
pub fn read_ahead_enabled() -> bool {
    READ_AHEAD.load(Ordering::Relaxed)
}

/// Whether an access at `address` with the user stack pointer at `esp` grows the stack:
/// within the stack limit below PHYS_BASE and no more than 32 bytes below `esp` (PUSHA).
pub fn grows_stack(address: usize, esp: usize) -> bool {
    address >= rintos_abi::STACK_BOTTOM as usize
        && address < PHYS_BASE
        && address >= esp.saturating_sub(rintos_abi::STACK_SLACK as usize)
}

/// The page at `address`, creating a stack page if the address is a valid stack growth.
pub fn page_or_stack_growth(space: &Arc<AddressSpace>, address: usize, esp: usize) -> Option<Arc<Page>> {
    let upage = address - address % PAGE_SIZE;
    if let Some(page) = space.lookup(upage) {
        return Some(page);
    }
    if !grows_stack(address, esp) || !crate::memory::heap_can_afford(page::PAGE_RECORD_BYTES) {
        return None;
    }
    let page = Page::new(upage, true, Kind::Anonymous, Backing::Zero);
    space.insert(page.clone()).ok()?;
    Some(page)
}

/// Accepts only futures that are `Send`: a future holding a spinlock guard (which is not
/// `Send`) across an `.await` then fails to compile, instead of deadlocking at run time.
fn holds_no_spinlock<F: core::future::Future + Send>(future: F) -> F {
    future
}

/// Runs the fault future for `page` on this thread, counting it and timing it from
/// `started` (the TSC at the exception, or when a system call found the page absent).
pub fn resolve(space: &Arc<AddressSpace>, page: &Arc<Page>, started: u64) -> Result<(), FaultError> {
    let fault = pin!(holds_no_spinlock(fault::fault_in(space, page)));
    let fault = stats::watch(fault);
    let (result, deferred) = if SERIAL_FAULTS.load(Ordering::Relaxed) {
        let _serial = SERIAL_LOCK.lock();
        block_on(fault)
    } else {
        block_on(fault)
    };
    let resolution = result?;
    stats::record_fault(stats::Completed {
        kind: resolution.kind,
        eviction: resolution.eviction,
        waited_for_disk: resolution.waited_for_disk,
        deferred,
        cycles: cpu::rdtsc() - started,
    });
    Ok(())
}

/// Makes `page` resident and pins its frame; returns the frame to unpin.
/// Gives up after [`fault::MAX_ROUNDS`] faults that each left the page to be taken again
/// before it could be pinned.
pub fn pin(space: &Arc<AddressSpace>, page: &Arc<Page>) -> Result<frame::FrameId, FaultError> {
    for _ in 0..fault::MAX_ROUNDS {
        if let Residence::Present(id) = page.state.lock().residence
            && frame::pin(id)
        {
            return Ok(id);
        }
        resolve(space, page, cpu::rdtsc())?;
    }
    Err(FaultError::OutOfFrames)
}

/// Frees every page of `space` (process exit).
pub fn destroy(space: &Arc<AddressSpace>) {
    while let Some(page) = space.take_any() {
        block_on(holds_no_spinlock(release::release(space, &page)));
    }
    // Its frames are free now: the process whose turn is next finds them.
    step_aside(space);
}

/// The process of `space` waits for another process (its exit, or its load), which may need
/// frames: if it held the load-control token, its turn ends (see `loadcontrol`).
pub fn step_aside(space: &AddressSpace) {
    loadcontrol::step_aside(space.token_name());
}

/// Resolves a page fault of a user program at `address` (`write`: a write access) in
/// `space`, whose user stack pointer was `esp`; `started` is the TSC at the exception. Only
/// the trap router calls this: it decodes the exception and decides what an error means.
pub fn handle_fault(
    space: &Arc<AddressSpace>,
    address: usize,
    write: bool,
    esp: usize,
    started: u64,
) -> Result<(), FaultError> {
    match page_or_stack_growth(space, address, esp) {
        Some(page) if address < PHYS_BASE && (page.writable || !write) => resolve(space, &page, started),
        _ => Err(FaultError::BadAddress),
    }
}
