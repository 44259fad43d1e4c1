//! The cores of the kernel's sleeping primitives: the semaphore (`threads::Semaphore`) and
//! the fair mutex for futures (`task::AsyncMutex`). Each is generic over the lock that
//! guards its state and over how its waiters sleep and are woken. The kernel instantiates
//! them with its spinlock and its scheduler; the tests instantiate them with loom's mutex and
//! threads and model-check them: both run the same lines.
#![no_std]

extern crate alloc;

pub mod fair_mutex;
pub mod semaphore;

use alloc::collections::VecDeque;

/// A lock around a `T`, held only for short sections that never sleep.
pub trait Lock<T> {
    /// Runs `section` with the lock held.
    fn with<R>(&self, section: impl FnOnce(&mut T) -> R) -> R;
}

/// Gives an empty wait queue's memory back to the heap, so that a long-lived lock that was
/// contended once does not keep memory forever (the kernel's leak checks compare heap bytes).
pub fn release_if_empty<T>(queue: &mut VecDeque<T>) {
    if queue.is_empty() && queue.capacity() > 0 {
        *queue = VecDeque::new();
    }
}

/// In the model checker, loom's mutex guards the state.
#[cfg(test)]
impl<T> Lock<T> for loom::sync::Mutex<T> {
    fn with<R>(&self, section: impl FnOnce(&mut T) -> R) -> R {
        section(&mut self.lock().unwrap())
    }
}
