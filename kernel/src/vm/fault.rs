//! The fault path. A fault either completes at once (the page is already in memory, a zero
//! page with a free frame, a page another process already shares) or needs I/O (read from
//! swap, the executable or a mapped file; or evicting a dirty page first). Both are one
//! future, [`fault_in`]; the fast case simply never waits. A fill that reads the disk runs
//! as a task on the kernel executor, and the faulting thread parks until the task is done.
//! While a fault waits, only its thread sleeps: no lock is held across an `.await`, and a
//! second fault on a page whose fill or eviction is in flight waits for that same
//! operation's event.

use alloc::sync::Arc;
use alloc::vec;
use core::future::Future;

use super::frame::{self, CleanCopy, FrameId, FrameState, User};
use super::page::{AddressSpace, Backing, Kind, Page, Residence};
use super::share::{self, ShareKey};
use super::stats::FaultKind;
use super::swap;
use crate::task::Event;
use rintos_vmcore::frame_state::{FrameEvent, LifeCycle};

/// Why a fault could not be resolved; the faulting process dies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultError {
    /// No page there (and not a valid stack growth), or a write to a read-only page.
    BadAddress,
    /// No frame could be freed: all are pinned or busy, or only dirty pages remain and
    /// swap is full.
    OutOfFrames,
    /// No kernel page for a page table.
    OutOfKernelMemory,
    /// The disk failed to read the page's only copy from swap: the page is lost.
    SwapReadFailed,
    /// The disk failed to read the page from its executable or mapped file.
    FileReadFailed,
}

/// How a fault was resolved, whether it took its frame from another page, and whether it
/// waited for the disk itself (a page read, or a dirty page written out to make room).
#[derive(Clone, Copy, Debug)]
pub struct Resolution {
    pub kind: FaultKind,
    pub eviction: frame::Eviction,
    pub waited_for_disk: bool,
}

impl Resolution {
    fn immediate(kind: FaultKind) -> Resolution {
        Resolution { kind, eviction: frame::Eviction::None, waited_for_disk: false }
    }
}

/// What the fault path decided while holding the page's lock.
enum Step {
    Done(FaultKind),
    /// The page had been read ahead, from `origin`; now it is mapped.
    ReadAhead { origin: Backing },
    Failed(FaultError),
    Wait(Arc<Event>),
    Fill { event: Arc<Event>, backing: Backing, share: Option<ShareKey> },
}

/// Brings `page` of `space` into memory and maps it. Returns how the fault was resolved.
pub async fn fault_in(space: &Arc<AddressSpace>, page: &Arc<Page>) -> Result<Resolution, FaultError> {
    // The page table the mapping needs is made now, under no lock: made while mapping, under
    // the page's lock, taking and zeroing its page kept interrupts off for ~100 us.
    space.directory.prepare(page.upage).map_err(|_| FaultError::OutOfKernelMemory)?;
    let share = page.share_key();
    // Each round waits for another operation on the page or loses a race to share it; so
    // many rounds in a row mean the page is taken away as fast as it comes (frames
    // thrashing between CPUs): the fault gives up rather than loop for ever.
    for _ in 0..MAX_ROUNDS {
        match begin(space, page, share) {
            Step::Done(kind) => return Ok(Resolution::immediate(kind)),
            Step::ReadAhead { origin } => {
                super::stats::count_read_ahead_hit();
                space.note_read_back(page.upage);
                super::readahead::after(space, page, &origin);
                return Ok(Resolution::immediate(FaultKind::Resident));
            }
            Step::Failed(error) => return Err(error),
            Step::Wait(event) => {
                super::stats::count_collision();
                event.wait().await;
            }
            Step::Fill { event, backing, share } => {
                let result = if backing.reads_disk() && super::fills_on_executor() {
                    let (space, page, event, backing) = (space.clone(), page.clone(), event.clone(), backing.clone());
                    on_executor(async move { fill(&space, &page, &event, &backing, share).await }).await
                } else {
                    fill(space, page, &event, &backing, share).await
                };
                event.fire();
                match result {
                    Ok(Some(resolution)) => {
                        if resolution.kind.is_major() {
                            super::readahead::after(space, page, &backing);
                        }
                        return Ok(resolution);
                    }
                    // Another process registered the shared frame first: use it.
                    Ok(None) => super::stats::count_retry(),
                    Err(error) => return Err(error),
                }
            }
        }
    }
    Err(FaultError::OutOfFrames)
}

/// The most rounds a fault (or a pin of a page for a system call) makes before it gives up.
pub const MAX_ROUNDS: u32 = 64;

/// Looks at the page under its lock and decides; starts a fill by marking it `Loading`.
fn begin(space: &Arc<AddressSpace>, page: &Arc<Page>, share: Option<ShareKey>) -> Step {
    let mut state = page.state.lock();
    match &state.residence {
        Residence::Present(id) => {
            let mut frame_state = frame::frame(*id).lock();
            if let Some(event) = frame_state.busy() {
                return Step::Wait(event);
            }
            let FrameState::InUse { prefetched, copy, .. } = &mut *frame_state else {
                unreachable!("a present page's frame is in use or busy")
            };
            if !*prefetched {
                return Step::Done(FaultKind::Resident);
            }
            // Read ahead for this very page of this very space (`readahead::install` put it
            // here): its own process's fault is what maps it.
            if space.directory.map(page.upage, frame::physical(*id), page.writable).is_err() {
                return Step::Failed(FaultError::OutOfKernelMemory);
            }
            *prefetched = false;
            frame::note_filled(*id);
            let origin = match *copy {
                CleanCopy::Swap(slot) => Backing::Swap(slot),
                _ => state.backing.clone(),
            };
            Step::ReadAhead { origin }
        }
        Residence::Loading(event) => Step::Wait(event.clone()),
        Residence::Absent => {
            if let Some(key) = share
                && let Some(id) = share::lookup(key)
            {
                return attach_shared(space, page, &mut state.residence, id);
            }
            let event = Event::new();
            state.residence = Residence::Loading(event.clone());
            Step::Fill { event, backing: state.backing.clone(), share }
        }
    }
}

/// Maps an existing shared frame into `space` (or says what to wait for).
fn attach_shared(space: &Arc<AddressSpace>, page: &Arc<Page>, residence: &mut Residence, id: FrameId) -> Step {
    let mut state = frame::frame(id).lock();
    if let Some(event) = state.busy() {
        return Step::Wait(event);
    }
    let FrameState::InUse { users, .. } = &mut *state else {
        unreachable!("the share table names only frames in use or busy")
    };
    if space.directory.map(page.upage, frame::physical(id), false).is_err() {
        return Step::Failed(FaultError::OutOfKernelMemory);
    }
    users.push(User { space: Arc::downgrade(space), page: page.clone() });
    *residence = Residence::Present(id);
    Step::Done(FaultKind::Shared)
}

/// Runs a fault's `fill` as a task on the kernel executor, which the faulting thread awaits
/// (and, with every task slot taken, runs the fill itself after all).
async fn on_executor<F>(fill: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    // The executor runs before the other ready threads, as a disk interrupt's waiter would:
    // it starts the read while this thread parks.
    match crate::threads::wake_first(|| crate::task::try_spawn(fill)) {
        Ok(handle) => {
            super::stats::count_executor_fill();
            handle.await
        }
        Err(fill) => fill.await,
    }
}

/// Gets a frame, fills it from `backing`, and maps it. `Ok(None)`: lost a race to share.
async fn fill(
    space: &Arc<AddressSpace>,
    page: &Arc<Page>,
    event: &Arc<Event>,
    backing: &Backing,
    share: Option<ShareKey>,
) -> Result<Option<Resolution>, FaultError> {
    let abandon = |id: Option<FrameId>| {
        if let Some(id) = id {
            frame::release(id);
        }
        page.state.lock().residence = Residence::Absent;
    };
    let (id, evicted) = match frame::obtain(space, event.clone()).await {
        Ok(obtained) => obtained,
        Err(_) => {
            abandon(None);
            return Err(FaultError::OutOfFrames);
        }
    };
    if let Some(key) = share
        && !share::register(key, id)
    {
        abandon(Some(id));
        return Ok(None);
    }
    // Gives the frame back after the fill went wrong, unregistering it as a shared copy.
    let give_up = || {
        if let Some(key) = share {
            share::forget(key, id);
        }
        abandon(Some(id));
    };
    // SAFETY: the frame is `Filling` for us.
    let content = unsafe { frame::bytes(id) };
    let kind = match backing {
        Backing::Zero => {
            content.fill(0);
            FaultKind::ZeroFill
        }
        Backing::File { inode, offset, read_bytes } => {
            let _io = super::stats::FaultIo::begin();
            if inode.read_page(*offset, *read_bytes as usize, content).await.is_err() {
                give_up();
                return Err(FaultError::FileReadFailed);
            }
            if page.kind == Kind::Mapped { FaultKind::MmapRead } else { FaultKind::FileRead }
        }
        Backing::Swap(slot) => {
            let _io = super::stats::FaultIo::begin();
            if swap::read(*slot, content).await.is_err() {
                // The slot is retired and the page is gone; its process is about to die,
                // and nothing must ever read or free that slot again.
                page.state.lock().backing = Backing::Zero;
                give_up();
                return Err(FaultError::SwapReadFailed);
            }
            FaultKind::SwapIn
        }
        Backing::Memory => unreachable!("a page whose frame holds it is never absent"),
    };
    // The process may have dropped the page while we waited (it cannot today: only its own
    // thread faults or unmaps; kept as a check of that invariant).
    let still_mapped = space.lookup(page.upage).is_some_and(|current| Arc::ptr_eq(&current, page));
    let mut state = page.state.lock();
    if !still_mapped || space.directory.map(page.upage, frame::physical(id), page.writable).is_err() {
        if !still_mapped && let Backing::Swap(slot) = *backing {
            swap::free(slot);
        }
        drop(state);
        give_up();
        return if still_mapped { Err(FaultError::OutOfKernelMemory) } else { Ok(Some(Resolution::immediate(FaultKind::Resident))) };
    }
    if matches!(backing, Backing::Swap(_)) {
        state.backing = Backing::Memory;
    }
    if kind.is_major() {
        space.note_read_back(page.upage);
    }
    frame::note_filled(id);
    frame::frame(id).lock().transition(
        FrameEvent::Filled,
        FrameState::InUse {
            users: vec![User { space: Arc::downgrade(space), page: page.clone() }],
            pins: 0,
            share,
            copy: match *backing {
                Backing::Swap(slot) => CleanCopy::Swap(slot),
                _ => CleanCopy::Backing,
            },
            cleaning: false,
            prefetched: false,
        },
    );
    state.residence = Residence::Present(id);
    if evicted == frame::Eviction::Dirty {
        // No clean victim was at hand: let clean-ahead write some before the next fault.
        super::pageout::kick();
    }
    let waited_for_disk = kind.is_major() || evicted == frame::Eviction::Dirty;
    Ok(Some(Resolution { kind, eviction: evicted, waited_for_disk }))
}
