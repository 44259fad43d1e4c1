//! A counting semaphore whose waiters sleep.

use alloc::collections::VecDeque;
use alloc::sync::Arc;

use super::scheduler;
use super::thread::Thread;
use crate::sync::{InterruptsOff, SpinLock};

/// Gives an empty wait queue's memory back to the heap, so that a long-lived lock that was
/// contended once does not keep memory forever (the leak checks compare heap bytes).
pub(super) fn release_if_empty<T>(queue: &mut VecDeque<T>) {
    if queue.is_empty() && queue.capacity() > 0 {
        *queue = VecDeque::new();
    }
}

pub struct Semaphore {
    state: SpinLock<State>,
}

struct State {
    value: usize,
    waiters: VecDeque<Arc<Thread>>,
}

impl Semaphore {
    pub const fn new(value: usize) -> Semaphore {
        Semaphore { state: SpinLock::new("semaphore", State { value, waiters: VecDeque::new() }) }
    }

    /// Waits until the value is positive, then decrements it.
    pub fn down(&self) {
        // Interrupts stay off from the check to the block, so an `up` cannot slip in between
        // and be lost.
        let _irq = InterruptsOff::new();
        let me = {
            let mut state = self.state.lock();
            if state.value > 0 {
                state.value -= 1;
                return;
            }
            let me = scheduler::current();
            state.waiters.push_back(me.clone());
            me
        };
        // `up` takes a waiter out of the queue exactly when it hands it a unit, so "no longer
        // queued" means "granted". Anything else that woke us (a stray wake-up) must not
        // count as a unit: we go back to sleep, still in our place in the queue.
        loop {
            scheduler::block_current();
            let state = self.state.lock();
            if !state.waiters.iter().any(|waiter| Arc::ptr_eq(waiter, &me)) {
                return;
            }
        }
    }

    /// Gives one unit to the longest waiter, or increments the value if nobody waits. Handing
    /// the unit over (rather than incrementing and letting the woken thread look again) keeps
    /// the semaphore fair: the thread that calls `up` cannot take the unit back with its next
    /// `down` before the woken waiter runs, and no waiter is passed over forever. (Interrupt
    /// handlers do not use semaphores: they wake threads through wakers, which never allocate
    /// or free.)
    pub fn up(&self) {
        let mut state = self.state.lock();
        match state.waiters.pop_front() {
            // If the waiter is not asleep (a stray wake-up made it ready), it finds itself
            // out of the queue when it runs, which is the same hand-off.
            Some(waiter) => scheduler::unblock(&waiter),
            None => state.value += 1,
        }
        release_if_empty(&mut state.waiters);
    }
}
