//! The ready queue under the model checker (loom): the queue's own lines, with loom's
//! atomics, run by a few threads in every interleaving loom can reach, and under every
//! reordering of memory accesses the orderings allow.
//!
//! What is checked is the flag protocol of `wake` and `pop`. crossbeam's `ArrayQueue` is not
//! (its atomics are invisible to loom); [`IdQueue`] stands in for it with the contract the
//! protocol relies on: a bounded FIFO whose pushes and pops are each one atomic step, a pop
//! that returns an id happening after the push of it. The stand-in is a little stronger than
//! the real queue (a pop that finds it empty also synchronizes with the last push), and it
//! fails the execution at once when an id is pushed while already queued.

use alloc::collections::VecDeque;

use loom::sync::Mutex;
use loom::sync::atomic::Ordering;

use super::ReadyQueue;

/// Bugs planted in the queue's own lines, each of which the model checker must find.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(test), expect(dead_code, reason = "the model's tests plant them"))]
pub enum Bug {
    /// `wake` tests the flag and then sets it, in two steps: two wakers may both queue.
    TestThenSet,
    /// `pop` leaves the flag set and the executor clears it after the poll: a wake-up during
    /// the poll finds it set, queues nothing, and is lost.
    ClearAfterPoll,
    /// `pop` clears the flag with a plain (release) store instead of a swap: the poll may not
    /// see what a waker published, and the waker, finding the flag still set, queues nothing.
    ClearWithStore,
}

#[cfg(test)]
impl ReadyQueue {
    fn with_bug(capacity: usize, bug: Option<Bug>) -> ReadyQueue {
        ReadyQueue { planted: bug, ..ReadyQueue::new(capacity) }
    }

    /// What the executor does after polling task `id`: nothing, unless the flag is planted
    /// to be cleared there.
    fn finish_poll(&self, id: usize) {
        if self.planted == Some(Bug::ClearAfterPoll) {
            self.queued[id].store(false, Ordering::Release);
        }
    }
}

/// `wake` with [`Bug::TestThenSet`] planted: whether it newly queued the task. `None`: not
/// planted, `wake` runs as written.
pub fn planted_wake(queue: &ReadyQueue, id: usize) -> Option<bool> {
    if queue.planted != Some(Bug::TestThenSet) {
        return None;
    }
    let flag = &queue.queued[id];
    if flag.load(Ordering::Acquire) {
        return Some(false);
    }
    flag.store(true, Ordering::Release);
    queue.ids.push(id).expect("ready queue holds each id at most once");
    Some(true)
}

/// The flag clearing of `pop` as a planted bug does it: whether it replaced the real one.
pub fn planted_clear(queue: &ReadyQueue, id: usize) -> bool {
    match queue.planted {
        Some(Bug::ClearAfterPoll) => true,
        Some(Bug::ClearWithStore) => {
            queue.queued[id].store(false, Ordering::Release);
            true
        }
        _ => false,
    }
}

/// The stand-in for `crossbeam_queue::ArrayQueue`: same methods, same contract.
pub struct IdQueue<T> {
    slots: Mutex<VecDeque<T>>,
    capacity: usize,
}

impl<T: PartialEq + core::fmt::Debug> IdQueue<T> {
    pub fn new(capacity: usize) -> IdQueue<T> {
        IdQueue { slots: Mutex::new(VecDeque::with_capacity(capacity)), capacity }
    }

    pub fn push(&self, value: T) -> Result<(), T> {
        let mut slots = self.slots.lock().unwrap();
        assert!(!slots.contains(&value), "{value:?} queued twice");
        if slots.len() == self.capacity {
            return Err(value);
        }
        slots.push_back(value);
        Ok(())
    }

    pub fn pop(&self) -> Option<T> {
        self.slots.lock().unwrap().pop_front()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.lock().unwrap().is_empty()
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::{Bug, ReadyQueue};
    use loom::sync::Arc;
    use loom::sync::atomic::{AtomicUsize, Ordering};
    use loom::thread;
    use rintos_modelcheck::{assert_found, check};

    /// The executor's loop (`task::executor::run`): polls ready tasks until none is left.
    /// A poll of task 0 reads what its wakers published; `last_seen` is what the last one read.
    fn run_ready(queue: &ReadyQueue, published: &AtomicUsize, last_seen: &mut usize) {
        while let Some(id) = queue.pop() {
            assert_eq!(id, 0);
            *last_seen = published.load(Ordering::Acquire);
            queue.finish_poll(id);
        }
    }

    /// `wakers` threads each publish one thing for task 0 and wake it, while the executor
    /// polls what is ready. Once all are done and the executor has run what is ready again
    /// (the wakes unparked it), the task's last poll must have seen every publication.
    fn wakes_during_polls(bug: Option<Bug>, wakers: usize, queued_at_start: bool) {
        let queue = Arc::new(ReadyQueue::with_bug(1, bug));
        let published = Arc::new(AtomicUsize::new(0));
        if queued_at_start {
            queue.wake(0);
        }
        let threads: std::vec::Vec<_> = (0..wakers)
            .map(|_| {
                let (queue, published) = (queue.clone(), published.clone());
                thread::spawn(move || {
                    published.fetch_add(1, Ordering::Release);
                    queue.wake(0);
                })
            })
            .collect();
        let mut last_seen = 0;
        run_ready(&queue, &published, &mut last_seen);
        for thread in threads {
            thread.join().unwrap();
        }
        run_ready(&queue, &published, &mut last_seen);
        assert_eq!(last_seen, wakers, "a wake-up was lost: the task's last poll did not see it");
    }

    fn one_wake_during_a_poll(bug: Option<Bug>) {
        wakes_during_polls(bug, 1, true);
    }

    fn two_wakers_at_once(bug: Option<Bug>) {
        wakes_during_polls(bug, 2, false);
    }

    #[test]
    fn a_wake_during_a_poll_queues_the_task_again() {
        check(|| one_wake_during_a_poll(None));
    }

    #[test]
    fn concurrent_wakes_queue_a_task_once_and_lose_none() {
        check(|| two_wakers_at_once(None));
    }

    #[test]
    fn finds_a_flag_tested_then_set() {
        assert_found("TestThenSet", "queued twice", || two_wakers_at_once(Some(Bug::TestThenSet)));
    }

    #[test]
    fn finds_a_flag_cleared_after_the_poll() {
        assert_found("ClearAfterPoll", "a wake-up was lost", || one_wake_during_a_poll(Some(Bug::ClearAfterPoll)));
    }

    #[test]
    fn finds_a_flag_cleared_by_a_plain_store() {
        assert_found("ClearWithStore", "a wake-up was lost", || one_wake_during_a_poll(Some(Bug::ClearWithStore)));
    }
}
