//! The reaper's list: threads that have exited and wait to be freed. A thread cannot free
//! the stack it runs on, so the thread that runs after it hands it over in the context
//! switch. Freeing it right there would run a teardown (the stack's pages, the last
//! reference to a page directory and its tables) with interrupts off, inside whatever
//! interrupt return path the switch happened in; the reaper thread (see the scheduler) frees
//! it later in its own context instead, with interrupts on.

use alloc::sync::Arc;
use core::sync::atomic::{AtomicUsize, Ordering};

use super::thread::Thread;
use crate::sync::SpinLock;

/// Exited threads not freed yet, linked through `Thread::next_dead` (handing one over must
/// not allocate).
static DEAD: SpinLock<Option<Arc<Thread>>> = SpinLock::new("reaper", None);
/// How many threads are on `DEAD` or being freed.
static UNFREED: AtomicUsize = AtomicUsize::new(0);

/// Counts a thread that is exiting: from the moment it leaves the scheduler's list of
/// threads until the reaper has freed it, it is still memory in use (another CPU may look
/// while it is switching away for the last time).
pub(super) fn dying() {
    UNFREED.fetch_add(1, Ordering::Relaxed);
}

/// Takes `thread`, which has switched away for good (and was counted by [`dying`]).
pub(super) fn bury(thread: Arc<Thread>) {
    let mut dead = DEAD.lock();
    *thread.next_dead.lock() = dead.take();
    *dead = Some(thread);
}

/// Frees every thread on the list (drops the list's reference to it).
pub(super) fn free_all() {
    let mut next = DEAD.lock().take();
    while let Some(thread) = next {
        next = thread.next_dead.lock().take();
        drop(thread);
        UNFREED.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Exited threads whose memory is not freed yet.
pub(super) fn unfreed() -> usize {
    UNFREED.load(Ordering::Relaxed)
}
