//! A fair mutex for futures: the core of `rintos_syncore::fair_mutex` (which the host
//! model-checks), with the kernel's spinlock around its tickets. The IDE driver uses one per
//! channel to serialize requests; each waiter draws a ticket, and releasing the mutex hands it
//! to the longest waiter, so that a process that swaps back to back cannot starve the others.

use core::task::Waker;

use rintos_syncore::fair_mutex::{FairMutex, HandOver, Tickets};

use crate::sync::SpinLock;
use crate::threads;

pub struct AsyncMutex {
    core: FairMutex<SpinLock<Tickets>, WakeFirst>,
}

impl AsyncMutex {
    pub const fn new(name: &'static str) -> AsyncMutex {
        AsyncMutex { core: FairMutex::new(SpinLock::new(name, Tickets::new())) }
    }

    /// Waits until it is this caller's turn, and takes the mutex.
    pub async fn lock(&self) -> AsyncMutexGuard<'_> {
        #[cfg(debug_assertions)]
        let level = crate::sync::order::sleeping_level(self.core.tickets().name());
        #[cfg(debug_assertions)]
        crate::sync::order::check_sleeping(self.core.tickets().name(), level, super::lock_owner());
        self.core.turn().await;
        #[cfg(debug_assertions)]
        crate::sync::order::acquired_sleeping(self.core.tickets().name(), level, self as *const Self as usize, super::lock_owner());
        AsyncMutexGuard { mutex: self }
    }
}

/// The new owner is handed a device (an IDE channel) that is idle until it runs: it runs
/// before the other ready threads.
struct WakeFirst;

impl HandOver for WakeFirst {
    fn wake(waker: Waker) {
        threads::wake_first(|| waker.wake());
    }
}

pub struct AsyncMutexGuard<'a> {
    mutex: &'a AsyncMutex,
}

impl Drop for AsyncMutexGuard<'_> {
    fn drop(&mut self) {
        #[cfg(debug_assertions)]
        crate::sync::order::released_sleeping(self.mutex as *const AsyncMutex as usize, super::lock_owner());
        self.mutex.core.unlock();
    }
}
