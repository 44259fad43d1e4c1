//! Taking pages away: at process exit and `munmap`. A page whose fill or eviction is in
//! flight is waited for first, so the I/O never finds its page gone; a dirty page of a
//! mapped file is written back; frames and swap slots (also those a frame keeps as the clean
//! copy of its page) return to their pools.

use alloc::sync::Arc;

use super::frame::{self, CleanCopy, FrameState};
use super::page::{AddressSpace, Backing, Kind, Page, Residence};
use super::share;
use super::swap;
use crate::arch::tlb::Shootdown;
use crate::task::Event;
use rintos_vmcore::frame_state::{FrameEvent, LifeCycle};

/// What releasing one page needs after the locks are dropped.
enum Next {
    Done,
    Wait(Arc<Event>),
    /// The last user of a dirty mapped page: write it back, then free its frame.
    WriteBack { id: frame::FrameId, event: Arc<Event> },
}

/// Removes `page` from `space`'s page table and frees what it holds.
pub async fn release(space: &Arc<AddressSpace>, page: &Arc<Page>) {
    loop {
        match step(space, page) {
            Next::Done => return,
            Next::Wait(event) => event.wait().await,
            Next::WriteBack { id, event } => {
                let backing = page.state.lock().backing.clone();
                // SAFETY: the frame is `Filling` on our behalf.
                if let Err(error) = super::mmap::write_back(&backing, unsafe { frame::bytes(id) }).await {
                    crate::println!("mmap: cannot write a page back to its file ({error}); its changes are lost");
                }
                frame::release(id);
                event.fire();
                return;
            }
        }
    }
}

fn step(space: &Arc<AddressSpace>, page: &Arc<Page>) -> Next {
    let mut state = page.state.lock();
    let id = match &state.residence {
        Residence::Loading(event) => return Next::Wait(event.clone()),
        Residence::Absent => {
            if let Backing::Swap(slot) = state.backing {
                swap::free(slot);
                state.backing = Backing::Zero;
            }
            return Next::Done;
        }
        Residence::Present(id) => *id,
    };
    // The share table comes before the frame in the lock order; holding both lets the last
    // user forget a shared frame before anyone else can find it again. Only read-only pages
    // of an executable are ever shared: the others leave the table alone.
    let mut shares = (!page.writable && page.kind == Kind::Anonymous).then(share::table);
    let mut frame_state = frame::frame(id).lock();
    if let Some(event) = frame_state.busy() {
        return Next::Wait(event);
    }
    let FrameState::InUse { users, share, copy, prefetched, .. } = &mut *frame_state else {
        unreachable!("a present page's frame is in use or busy")
    };
    if *prefetched {
        super::stats::count_read_ahead_wasted();
    }
    if let CleanCopy::Swap(slot) = *copy {
        // Only anonymous pages come from swap, and those are never shared.
        swap::free(slot);
        *copy = CleanCopy::None;
    }
    users.retain(|user| !Arc::ptr_eq(&user.page, page));
    let mut shootdown = Shootdown::new();
    let dirty = space.directory.unmap(page.upage, &mut shootdown).is_some_and(|mapping| mapping.dirty);
    // A process's directory is loaded only on the CPU its one thread runs on, which is this
    // one (exit and munmap run in the process): no other CPU can cache the page.
    assert!(!shootdown.is_needed(), "page {:#x} released while another CPU runs its address space", page.upage);
    state.residence = Residence::Absent;
    if !users.is_empty() {
        return Next::Done;
    }
    if let Some(key) = *share {
        share::forget_locked(shares.as_mut().expect("a shared frame holds a read-only executable page"), key, id);
    }
    drop(shares);
    // A frame that holds the only copy (its write-back failed before) is dirty whatever its
    // page-table entry says.
    if page.kind == Kind::Mapped && (dirty || *copy == CleanCopy::None) {
        let event = Event::new();
        frame_state.transition(FrameEvent::WriteBack, FrameState::Filling(event.clone()));
        return Next::WriteBack { id, event };
    }
    frame::release_locked(id, frame_state);
    Next::Done
}
