//! Read-ahead: when a process faults its way through its pages in order, reading back pages
//! it had before (its run of read-back faults, `vmcore::sequence`, gone past its first
//! fault), the next [`READ_AHEAD`] pages of its address space that are in swap, or at the
//! following offsets of the same mapped file, are read by a task on the kernel executor while
//! the process works on the page it faulted for. Each major fault of the run, and each fault
//! that finds its page read ahead, moves the window on. One such task is at work at a time; a
//! fault that finds it busy leaves its window to the faults after it.
//!
//! A page read ahead is put in its frame but not mapped (`FrameState::InUse` with
//! `prefetched`): the first fault on it maps it, a minor fault counted as a read-ahead hit.
//! So only a fault of the page's own process, on that very page, ever maps it. While it is
//! being read its page is `Loading`, like any fill: a fault on it waits for that read, and
//! exit or munmap (`release`) wait for it before they free anything, so the page's frame and
//! slot are freed by whichever comes last, the read or the release. A page read ahead and
//! evicted or freed before any fault used it (or read for a process that let it go
//! meanwhile) is counted as wasted; the clock leaves it alone for `clock::READ_AHEAD_GRACE`
//! fills first.
//!
//! Read-ahead takes only frames that cost nothing (`frame::obtain_cheap`): a free one, or a
//! clean page the same run has passed. It never writes a page out, and never takes a frame
//! from another process; with no such frame it reads nothing.
//!
//! A read that fails leaves the page as it was: `Absent`, its slot or file still its backing,
//! for the fault that needs it to read again. Read-ahead is a guess: the process has asked for
//! nothing, and may never. The fault path retires a slot it cannot read and kills the process,
//! whose page is lost; but a slot retired here would leave a page that is lost with nobody to
//! tell, and the process would later read zeros where its data was. Read again by its fault,
//! a page whose disk error was transient is not lost at all, and one whose error persists
//! meets the same end as without read-ahead.

use alloc::sync::{Arc, Weak};
use alloc::vec;

use super::frame::{self, CleanCopy, FrameId, FrameState, User};
use super::page::{AddressSpace, Backing, Kind, Page, PageState, Residence};
use super::swap;
use crate::memory::PAGE_SIZE;
use crate::task::Event;
use rintos_vmcore::frame_state::{FrameEvent, LifeCycle};

/// Pages read ahead of a fault at most.
pub const READ_AHEAD: usize = 4;

/// A page marked `Loading` for the read-ahead. Dropped before it is installed (its read
/// failed, or its process let it go meanwhile), it goes back to `Absent`, its backing
/// untouched, and its waiters wake up: a fault then reads it itself, a release frees its slot.
struct Pending {
    page: Arc<Page>,
    event: Arc<Event>,
    backing: Backing,
    installed: bool,
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.installed {
            self.page.state.lock().residence = Residence::Absent;
            self.event.fire();
        }
    }
}

/// What the read-ahead makes of a page of the window.
enum Ahead {
    Read,
    /// In memory, or on its way: the window goes on past it.
    Pass,
    /// Not where the run's pages come from (not in swap, not the next page of the file, not
    /// the same kind): the window ends before it.
    End,
}

/// What to do with page `next`, whose state is `state`, `distance` pages after a page of
/// kind `kind` read from `origin`. A page in swap follows one from swap wherever its slot is:
/// the run, and so the faults the read-ahead saves, go in address order.
fn ahead(next: &Page, state: &PageState, kind: Kind, origin: &Backing, distance: usize) -> Ahead {
    let follows = match (&state.backing, origin) {
        (Backing::Swap(_), Backing::Swap(_)) => true,
        (Backing::File { inode: next_inode, offset: next_offset, .. }, Backing::File { inode, offset, .. }) => {
            Arc::ptr_eq(next_inode, inode) && *next_offset as usize == *offset as usize + distance * PAGE_SIZE
        }
        _ => false,
    };
    match state.residence {
        Residence::Absent if next.kind == kind && follows => Ahead::Read,
        Residence::Present(_) | Residence::Loading(_) => Ahead::Pass,
        Residence::Absent => Ahead::End,
    }
}

/// The first page to read in the window after `upage` (a page of kind `kind` read from
/// `origin`), from distance `from` on, with its distance.
fn next_to_read(
    space: &AddressSpace,
    upage: usize,
    kind: Kind,
    origin: &Backing,
    from: usize,
) -> Option<(Arc<Page>, usize)> {
    for distance in from..=READ_AHEAD {
        let next = space.lookup(upage + distance * PAGE_SIZE)?;
        let verdict = ahead(&next, &next.state.lock(), kind, origin, distance);
        match verdict {
            Ahead::Read => return Some((next, distance)),
            Ahead::Pass => {}
            Ahead::End => return None,
        }
    }
    None
}

/// After a fault of `space` read `page` back from `origin` (or found it read ahead from
/// there): if the process is going through its pages in order, a page of the window is to be
/// read, and no background task is at work (the faults after this one will look again),
/// starts a task that reads the window.
pub fn after(space: &Arc<AddressSpace>, page: &Page, origin: &Backing) {
    let readable = matches!((page.kind, origin), (Kind::Anonymous, Backing::Swap(_)) | (Kind::Mapped, Backing::File { .. }));
    if !readable
        || !super::read_ahead_enabled()
        || !space.streaming()
        || next_to_read(space, page.upage, page.kind, origin, 1).is_none()
    {
        return;
    }
    // One background task at a time (`vm::BackgroundIo`): the faults after this one look again.
    let Some(io) = super::BackgroundIo::try_begin() else { return };
    let window = fetch(Arc::downgrade(space), page.upage, page.kind, origin.clone());
    // The executor runs before the process goes on, as a device interrupt's waiter would:
    // it starts the first read at once, and then waits for the disk while the process works.
    // A page fault otherwise returns to user mode without a switch (a minor fault costs its
    // own time only), so this one, which is about to return, makes the switch itself.
    crate::threads::wake_first(|| {
        // Without a task slot, nothing is read ahead this time: the unspawned task lets go
        // of `io` as it is dropped.
        let _ = crate::task::spawn(async move {
            window.await;
            drop(io);
        });
    });
    crate::threads::preempt_on_return(true);
}

/// Reads the pages of the window after `upage` that are still to be read, in order, each
/// into a frame that costs nothing; stops at the first for which there is none. A page is
/// marked `Loading` only once its frame is in hand, so a fault never waits for a read that
/// will not happen. The task holds its space only weakly, and never across an `.await`: an
/// exiting process waits for its pages being read, and must not then wait for the task to
/// let go of its page directory too.
async fn fetch(space: Weak<AddressSpace>, upage: usize, kind: Kind, origin: Backing) {
    let mut from = 1;
    while let Some((next, distance)) = space.upgrade().and_then(|space| next_to_read(&space, upage, kind, &origin, from)) {
        from = distance + 1;
        let event = Event::new();
        let Some(id) = frame::obtain_cheap(&space, event.clone()).await else { return };
        let Some(backing) = mark(&next, kind, &origin, distance, &event) else {
            // Its own fault came first while the frame was found, or its process let it go.
            frame::release(id);
            continue;
        };
        let mut pending = Pending { page: next, event, backing, installed: false };
        // SAFETY: the frame is `Filling` on our behalf.
        let content = unsafe { frame::bytes(id) };
        let read = match &pending.backing {
            Backing::Swap(slot) => swap::try_read(*slot, content).await.is_ok(),
            Backing::File { inode, offset, read_bytes } => inode.read_page(*offset, *read_bytes as usize, content).await.is_ok(),
            Backing::Zero | Backing::Memory => unreachable!("only pages in swap or a mapped file are read ahead"),
        };
        if read {
            install(&space, &mut pending, id);
        } else {
            frame::release(id);
        }
    }
}

/// Marks page `next` `Loading` with `event` if it is still to be read (see [`ahead`]);
/// returns its backing, which the read-ahead reads.
fn mark(next: &Page, kind: Kind, origin: &Backing, distance: usize, event: &Arc<Event>) -> Option<Backing> {
    let mut state = next.state.lock();
    if !matches!(ahead(next, &state, kind, origin, distance), Ahead::Read) {
        return None;
    }
    state.residence = Residence::Loading(event.clone());
    Some(state.backing.clone())
}

/// Puts a page read ahead in its frame, unmapped, if its process still has it; otherwise
/// gives the frame back, and the release that took the page out frees its slot once the
/// page is `Absent` again.
fn install(space: &Weak<AddressSpace>, pending: &mut Pending, id: FrameId) {
    let page = &pending.page;
    let still_there =
        space.upgrade().is_some_and(|space| space.lookup(page.upage).is_some_and(|current| Arc::ptr_eq(&current, page)));
    if !still_there {
        super::stats::count_read_ahead_wasted();
        frame::release(id);
        return;
    }
    let mut state = page.state.lock();
    let copy = match pending.backing {
        Backing::Swap(slot) => {
            state.backing = Backing::Memory;
            CleanCopy::Swap(slot)
        }
        _ => CleanCopy::Backing,
    };
    frame::note_read_ahead(id);
    frame::frame(id).lock().transition(
        FrameEvent::Filled,
        FrameState::InUse {
            users: vec![User { space: space.clone(), page: page.clone() }],
            pins: 0,
            share: None,
            copy,
            cleaning: false,
            prefetched: true,
        },
    );
    state.residence = Residence::Present(id);
    pending.installed = true;
    drop(state);
    pending.event.fire();
}
