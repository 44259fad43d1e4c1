//! A counting semaphore whose waiters sleep.

use alloc::collections::VecDeque;
use alloc::sync::Arc;

use super::{InterruptsOff, SpinLock};
use crate::threads::{self, Thread};

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
        loop {
            {
                let mut state = self.state.lock();
                if state.value > 0 {
                    state.value -= 1;
                    return;
                }
                state.waiters.push_back(threads::current());
            }
            threads::block_current();
        }
    }

    /// Decrements the value if it is positive, without waiting.
    pub fn try_down(&self) -> bool {
        let mut state = self.state.lock();
        if state.value > 0 {
            state.value -= 1;
            true
        } else {
            false
        }
    }

    /// Increments the value and wakes the longest waiter. Safe in interrupt handlers: it
    /// never allocates.
    pub fn up(&self) {
        let mut state = self.state.lock();
        state.value += 1;
        if let Some(waiter) = state.waiters.pop_front() {
            threads::unblock(&waiter);
        }
    }

    /// The current value (for tests and statistics; stale as soon as it is read).
    pub fn value(&self) -> usize {
        self.state.lock().value
    }
}
