//! Clean-ahead: a task on the kernel executor writes dirty pages to swap before anyone needs
//! their frames, so that a fault more often finds a clean victim near the clock hand and
//! takes it without waiting for a write, and so that dirty pages go out several to a request.
//!
//! A fault that had to write its victim kicks the task. The task counts the reserve (free
//! frames, and clean unused frames anywhere in the table) and, from when it falls below the
//! low watermark until it reaches the high one (`vmcore::watermark`), writes one cluster per
//! kick: the first frame the clock hand passed over (for its cost, WSClock-style) that still
//! holds a dirty unused anonymous page, with the dirty unused pages that follow it in its
//! address space, up to [`CLUSTER`] pages in one request to contiguous swap slots. One cluster per kick keeps the task at the
//! clock's pace: a page cleaned too early is often written again before the clock takes it,
//! and that costs a second write.
//!
//! A page stays mapped while it is cleaned. Under the frame's lock the task marks the frame
//! `cleaning` (the clock and the fault path's claims leave it alone) and clears the page's
//! dirty bit; a TLB shootdown then makes every CPU that runs the address space forget its
//! cached entry, so that a write from then on sets the bit again; only after that is the
//! content copied to the task's buffer, under the frame's lock. When the write is done the
//! frame gets the slot as its clean copy (`CleanCopy::Swap`, the same state as a page read
//! back from swap), unless the page was written meanwhile (its dirty bit is set again: the
//! slot is freed) or the frame no longer holds that page (its process exited or unmapped
//! it: the slot is freed). If the write fails, the frame keeps no copy (`CleanCopy::None`),
//! so its next eviction writes it as if it were dirty.

use alloc::sync::{Arc, Weak};
use alloc::vec;
use alloc::vec::Vec;
use core::future::poll_fn;
use core::sync::atomic::{AtomicBool, Ordering};
use core::task::Poll;

use futures_util::task::AtomicWaker;
use rintos_vmcore::watermark::{Cleaner, Watermarks};

use super::frame::{self, CleanCopy, FrameId, FrameState, Peek};
use super::page::{AddressSpace, Page, Residence};
use super::swap::{self, SwapSlot};
use crate::arch::tlb::Shootdown;
use crate::memory::{self, PAGE_SIZE};

/// Pages written in one request at most.
pub const CLUSTER: usize = 8;

static KICKED: AtomicBool = AtomicBool::new(false);
static WAITER: AtomicWaker = AtomicWaker::new();
static RUNNING: AtomicBool = AtomicBool::new(false);

/// Starts the task. Its buffer is taken now, at boot, once.
pub fn start() {
    let marks = Watermarks::for_pool(frame::count());
    let buffer = vec![0u8; CLUSTER * PAGE_SIZE];
    if crate::task::spawn(run(marks, buffer)).is_some() {
        frame::collect_passed_dirty();
        RUNNING.store(true, Ordering::Relaxed);
    }
}

/// Tells the task that a fault had to wait for its victim's write.
pub fn kick() {
    if RUNNING.load(Ordering::Relaxed) {
        KICKED.store(true, Ordering::Release);
        WAITER.wake();
    }
}

async fn kicked() {
    poll_fn(|cx| {
        if KICKED.swap(false, Ordering::AcqRel) {
            return Poll::Ready(());
        }
        // Register, then look again, so that a kick in between is not lost.
        WAITER.register(cx.waker());
        if KICKED.swap(false, Ordering::AcqRel) { Poll::Ready(()) } else { Poll::Pending }
    })
    .await
}

async fn run(marks: Watermarks, mut buffer: Vec<u8>) {
    let mut cleaner = Cleaner::new(marks);
    loop {
        kicked().await;
        // One background task at a time (`vm::BackgroundIo`): if a read-ahead is at work,
        // the next kick looks again.
        if cleaner.should_clean(reserve())
            && let Some(_io) = super::BackgroundIo::try_begin()
            && let Some(cluster) = gather()
        {
            write_out(cluster, &mut buffer).await;
        }
    }
}

/// The frames the clock can take without a write: free ones, and clean unused ones.
fn reserve() -> usize {
    memory::user_pool_free() + (0..frame::count()).filter(|&id| matches!(frame::peek(id), Peek::Clean)).count()
}

/// A dirty page to write out and the dirty pages that follow it in its address space.
struct Cluster {
    space: Arc<AddressSpace>,
    pages: Vec<Arc<Page>>,
}

/// Finds the first frame the clock passed over that is still dirty and unused, and the
/// dirty unused pages that follow its page.
fn gather() -> Option<Cluster> {
    let (first, space) = core::iter::from_fn(frame::next_passed_dirty).find_map(|id| match frame::peek(id) {
        Peek::Dirty(page, space) => Some((page, space)),
        _ => None,
    })?;
    let mut pages = vec![first];
    while pages.len() < CLUSTER {
        let next = pages.last().expect("a cluster has a page").upage + PAGE_SIZE;
        let Some(page) = space.lookup(next) else { break };
        let Residence::Present(id) = page.state.lock().residence else { break };
        match frame::peek(id) {
            Peek::Dirty(holder, _) if Arc::ptr_eq(&holder, &page) => pages.push(page),
            _ => break,
        }
    }
    Some(Cluster { space, pages })
}

/// The frame that holds `page`, if it is in memory.
fn frame_of(page: &Arc<Page>) -> Option<FrameId> {
    let Residence::Present(id) = page.state.lock().residence else { return None };
    Some(id)
}

/// Whether frame state `state` is `page`'s alone and marked as being cleaned.
fn is_cleaning(state: &FrameState, page: &Arc<Page>) -> bool {
    match state {
        FrameState::InUse { users, cleaning: true, .. } => frame::holds_alone(users, page),
        _ => false,
    }
}

/// Marks the frame of `page` as being cleaned and clears the page's dirty bit (the CPUs that
/// may cache it are added to `shootdown`); `None` if it is no longer an unpinned frame whose
/// content only the frame holds.
fn begin_cleaning(space: &AddressSpace, page: &Arc<Page>, shootdown: &mut Shootdown) -> Option<FrameId> {
    let id = frame_of(page)?;
    let mut state = frame::frame(id).lock();
    let FrameState::InUse { users, pins, copy, cleaning, .. } = &mut *state else { return None };
    if *pins > 0 || *cleaning || !frame::holds_alone(users, page) {
        return None;
    }
    if !frame::forget_stale_copy(users, copy) {
        return None;
    }
    // The frame holds the only copy (`copy` is `None`), so clearing the dirty bit loses
    // nothing: until a copy is complete, an eviction writes the frame whatever the bit says.
    space.directory.take_dirty(page.upage, shootdown);
    *cleaning = true;
    Some(id)
}

/// Copies the content of frame `id`, being cleaned for `page`, to `out`; false if the frame
/// no longer holds that page.
fn copy_out(id: FrameId, page: &Arc<Page>, out: &mut [u8]) -> bool {
    let state = frame::frame(id).lock();
    if !is_cleaning(&state, page) {
        return false;
    }
    // SAFETY: the frame is in use and being cleaned, and we hold its lock: nobody frees,
    // refills or evicts it while we copy. Its process may write it meanwhile, on another
    // CPU; since the shootdown such a write sets the dirty bit, which `finish_cleaning` reads.
    out.copy_from_slice(unsafe { frame::bytes(id) });
    true
}

/// Ends the cleaning of frame `id` for `page`: its content is now also in `slot`, if the
/// write succeeded. The frame keeps the slot as the page's clean copy if it still holds the
/// page unmodified; otherwise the slot is freed.
fn finish_cleaning(space: &Weak<AddressSpace>, page: &Arc<Page>, id: FrameId, slot: Option<SwapSlot>) {
    let mut state = frame::frame(id).lock();
    if is_cleaning(&state, page)
        && let FrameState::InUse { copy, cleaning, .. } = &mut *state
    {
        *cleaning = false;
        let written = space.upgrade().is_none_or(|space| space.directory.lookup(page.upage).is_none_or(|mapping| mapping.dirty));
        if let Some(slot) = slot
            && !written
        {
            *copy = CleanCopy::Swap(slot);
            return;
        }
    }
    drop(state);
    if let Some(slot) = slot {
        swap::free(slot);
    }
}

/// Writes a cluster's pages to contiguous slots in one request. Across the write it keeps no
/// address space alive: the process may exit meanwhile, and the frames it leaves simply no
/// longer hold the pages.
async fn write_out(cluster: Cluster, buffer: &mut [u8]) {
    let Some((first, count)) = swap::allocate_run(cluster.pages.len()) else { return };
    let mut shootdown = Shootdown::new();
    let mut cleaned: Vec<(Arc<Page>, FrameId)> = Vec::with_capacity(count);
    for page in cluster.pages.iter().take(count) {
        match begin_cleaning(&cluster.space, page, &mut shootdown) {
            Some(id) => cleaned.push((page.clone(), id)),
            None => break,
        }
    }
    // From here no CPU writes those pages without setting their dirty bits again.
    shootdown.run();
    let mut copied = 0;
    for (page, id) in &cleaned {
        if !copy_out(*id, page, &mut buffer[copied * PAGE_SIZE..(copied + 1) * PAGE_SIZE]) {
            break;
        }
        copied += 1;
    }
    let space = Arc::downgrade(&cluster.space);
    drop(cluster);
    let placed = if copied > 0 { swap::write_run(first, &buffer[..copied * PAGE_SIZE]).await } else { Vec::new() };
    for unused in copied..count {
        swap::free(first.plus(unused));
    }
    super::stats::count_clean_ahead_writes(placed.iter().flatten().count());
    for (position, (page, id)) in cleaned.iter().enumerate() {
        finish_cleaning(&space, page, *id, placed.get(position).copied().flatten());
    }
}
