//! The executor's ready queue, kept apart from the kernel so its logic is tested on the host.
//!
//! A waker names its task by a small integer id. Waking pushes the id onto a bounded
//! lock-free queue unless the task is already queued, so any number of wake-ups between two
//! polls cost one queue slot and a task is never polled twice for one wake. Waking never
//! allocates or frees: it is safe in interrupt handlers.
//!
//! Built with `--cfg loom` (the package `rintos-taskq-loom` compiles this very file so), the
//! queue is made of loom's atomics and a stand-in for the lock-free queue, and `model` checks
//! every interleaving of wakes and polls.
#![no_std]

extern crate alloc;

#[cfg(loom)]
mod model;

use alloc::boxed::Box;
use alloc::vec::Vec;

use sync::{AtomicBool, IdQueue, Ordering};

/// What the queue is built of: the real atomics and crossbeam's queue, or under the model
/// checker loom's atomics (every access a point where it may switch threads) and a stand-in
/// queue with the same contract (see `model::IdQueue`).
mod sync {
    #[cfg(not(loom))]
    pub use core::sync::atomic::{AtomicBool, Ordering};
    #[cfg(not(loom))]
    pub use crossbeam_queue::ArrayQueue as IdQueue;
    #[cfg(loom)]
    pub use loom::sync::atomic::{AtomicBool, Ordering};

    #[cfg(loom)]
    pub use super::model::IdQueue;
}

/// Ready task ids, each at most once.
pub struct ReadyQueue {
    ids: IdQueue<usize>,
    queued: Box<[AtomicBool]>,
    /// A bug the model checker must find (see `model`); never in the kernel.
    #[cfg(loom)]
    planted: Option<model::Bug>,
}

impl ReadyQueue {
    /// A queue for task ids `0..capacity`.
    pub fn new(capacity: usize) -> ReadyQueue {
        let queued: Vec<AtomicBool> = (0..capacity).map(|_| AtomicBool::new(false)).collect();
        ReadyQueue {
            ids: IdQueue::new(capacity),
            queued: queued.into_boxed_slice(),
            #[cfg(loom)]
            planted: None,
        }
    }

    /// Task ids this queue can hold.
    pub fn capacity(&self) -> usize {
        self.queued.len()
    }

    /// Marks task `id` ready. Returns whether it was newly queued (false: it already was).
    pub fn wake(&self, id: usize) -> bool {
        #[cfg(loom)]
        if let Some(newly_queued) = model::planted_wake(self, id) {
            return newly_queued;
        }
        // One step that tests and sets: two wakers can never both find the flag clear.
        if self.queued[id].swap(true, Ordering::AcqRel) {
            return false;
        }
        // Cannot fail: every id occupies at most one slot and there is a slot per id.
        self.ids.push(id).expect("ready queue holds each id at most once");
        true
    }

    /// The next ready task. Its flag is cleared before it is handed out, so a wake-up that
    /// arrives while the task is being polled queues it again instead of being lost.
    pub fn pop(&self) -> Option<usize> {
        let id = self.ids.pop()?;
        #[cfg(loom)]
        if model::planted_clear(self, id) {
            return Some(id);
        }
        // A swap, not a store: reading the flag's latest write, it acquires what a waker that
        // found the flag still set (and so queued nothing) published before waking, and the
        // poll that follows sees it. A plain store lets that poll read older values: the
        // wake-up is lost (the model checker finds it, see `model`).
        self.queued[id].swap(false, Ordering::AcqRel);
        Some(id)
    }

    /// Whether no task is ready.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    extern crate std;
    use super::*;
    use std::sync::Arc;

    #[test]
    fn repeated_wakes_queue_a_task_once() {
        let queue = ReadyQueue::new(4);
        assert!(queue.wake(2));
        assert!(!queue.wake(2));
        assert!(!queue.wake(2));
        assert_eq!(queue.pop(), Some(2));
        assert_eq!(queue.pop(), None);
    }

    #[test]
    fn ready_order_is_first_woken_first_polled() {
        let queue = ReadyQueue::new(8);
        for id in [5, 1, 7, 0] {
            queue.wake(id);
        }
        let order: Vec<usize> = core::iter::from_fn(|| queue.pop()).collect();
        assert_eq!(order, [5, 1, 7, 0]);
    }

    #[test]
    fn a_wake_during_the_poll_requeues_the_task() {
        let queue = ReadyQueue::new(2);
        queue.wake(1);
        let polling = queue.pop().unwrap();
        assert!(queue.wake(polling), "the flag was cleared before the poll");
        assert_eq!(queue.pop(), Some(1));
    }

    #[test]
    fn every_id_fits_at_once() {
        let queue = ReadyQueue::new(64);
        for id in 0..64 {
            assert!(queue.wake(id));
        }
        assert_eq!(core::iter::from_fn(|| queue.pop()).count(), 64);
        assert!(queue.is_empty());
    }

    #[test]
    fn concurrent_wakers_never_duplicate_or_lose_an_id() {
        let queue = Arc::new(ReadyQueue::new(128));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let queue = queue.clone();
                std::thread::spawn(move || {
                    for id in 0..128 {
                        queue.wake(id);
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let mut seen: Vec<usize> = core::iter::from_fn(|| queue.pop()).collect();
        seen.sort();
        assert_eq!(seen, (0..128).collect::<Vec<_>>());
    }
}
