//! Condition variables with Mesa semantics: a woken waiter re-takes the lock and must
//! re-check its condition.

use alloc::collections::VecDeque;
use alloc::sync::Arc;

use super::mutex::MutexGuard;
use super::semaphore::{self, Semaphore};
use crate::sync::SpinLock;

pub struct Condvar {
    waiters: SpinLock<VecDeque<Arc<Semaphore>>>,
}

impl Condvar {
    pub const fn new() -> Condvar {
        Condvar { waiters: SpinLock::new("condvar", VecDeque::new()) }
    }

    /// Atomically releases the lock behind `guard` and sleeps until signalled, then re-takes
    /// the lock. Each waiter sleeps on a semaphore of its own, so a signal sent between the
    /// release and the sleep is not lost.
    pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        let wakeup = Arc::new(Semaphore::new(0));
        self.waiters.lock().push_back(wakeup.clone());
        let mutex = guard.unlock();
        wakeup.down();
        mutex.lock()
    }

    /// Wakes the longest waiter, if any.
    pub fn notify_one(&self) {
        let waiter = {
            let mut waiters = self.waiters.lock();
            let waiter = waiters.pop_front();
            semaphore::release_if_empty(&mut waiters);
            waiter
        };
        if let Some(waiter) = waiter {
            waiter.up();
        }
    }

    /// Wakes every waiter.
    pub fn notify_all(&self) {
        let waiters = core::mem::take(&mut *self.waiters.lock());
        for waiter in waiters {
            waiter.up();
        }
    }
}
