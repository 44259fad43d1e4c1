//! Taking pages away: at process exit and `munmap`. A page whose fill or eviction is in
//! flight is waited for first, so the I/O never finds its page gone; a dirty page of a
//! mapped file is written back; frames and swap slots (also those a frame keeps as the clean
//! copy of its page) return to their pools.

use alloc::sync::Arc;

use super::frame::{self, CleanCopy, FrameState};
use super::page::{AddressSpace, Backing, Kind, Page, Residence};
use super::share;
use super::swap;
use crate::task::Event;
use rintos_vmcore::frame_state::FrameEvent;

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
                super::mmap::write_back(&backing, unsafe { frame::bytes(id) }).await;
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
    // user forget a shared frame before anyone else can find it again.
    let mut shares = share::table();
    let mut frame_state = frame::frame(id).lock();
    if let Some(event) = frame_state.busy() {
        return Next::Wait(event);
    }
    let FrameState::InUse { users, share, copy, .. } = &mut *frame_state else {
        unreachable!("a present page's frame is in use or busy")
    };
    if let CleanCopy::Swap(slot) = *copy {
        // Only anonymous pages come from swap, and those are never shared.
        swap::free(slot);
        *copy = CleanCopy::None;
    }
    users.retain(|user| !Arc::ptr_eq(&user.page, page));
    let dirty = space.directory.unmap(page.upage).is_some_and(|mapping| mapping.dirty);
    state.residence = Residence::Absent;
    if !users.is_empty() {
        return Next::Done;
    }
    if let Some(key) = *share {
        share::forget_locked(&mut shares, key, id);
    }
    drop(shares);
    if page.kind == Kind::Mapped && dirty {
        let event = Event::new();
        frame_state.transition(FrameEvent::WriteBack, FrameState::Filling(event.clone()));
        return Next::WriteBack { id, event };
    }
    drop(frame_state);
    frame::release(id);
    Next::Done
}
