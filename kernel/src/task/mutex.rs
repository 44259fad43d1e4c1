//! A mutex for futures: waiting for it suspends the future (and so parks the thread or task
//! that polls it) instead of spinning. The IDE driver uses one per channel to serialize
//! requests.

use alloc::collections::VecDeque;
use core::future::poll_fn;
use core::task::{Poll, Waker};

use crate::sync::SpinLock;

pub struct AsyncMutex {
    state: SpinLock<State>,
}

struct State {
    locked: bool,
    waiters: VecDeque<Waker>,
}

impl AsyncMutex {
    pub const fn new(name: &'static str) -> AsyncMutex {
        AsyncMutex { state: SpinLock::new(name, State { locked: false, waiters: VecDeque::new() }) }
    }

    /// Waits until the mutex is free and takes it.
    pub async fn lock(&self) -> AsyncMutexGuard<'_> {
        #[cfg(debug_assertions)]
        let level = crate::sync::order::sleeping_level(self.state.name());
        #[cfg(debug_assertions)]
        crate::sync::order::check_sleeping(self.state.name(), level);
        poll_fn(|cx| {
            let mut state = self.state.lock();
            if !state.locked {
                state.locked = true;
                return Poll::Ready(());
            }
            if !state.waiters.iter().any(|waiter| waiter.will_wake(cx.waker())) {
                state.waiters.push_back(cx.waker().clone());
            }
            Poll::Pending
        })
        .await;
        #[cfg(debug_assertions)]
        crate::sync::order::acquired_sleeping(self.state.name(), level, self as *const Self as usize);
        AsyncMutexGuard { mutex: self }
    }
}

pub struct AsyncMutexGuard<'a> {
    mutex: &'a AsyncMutex,
}

impl Drop for AsyncMutexGuard<'_> {
    fn drop(&mut self) {
        #[cfg(debug_assertions)]
        crate::sync::order::released_sleeping(self.mutex as *const AsyncMutex as usize);
        let next = {
            let mut state = self.mutex.state.lock();
            state.locked = false;
            let next = state.waiters.pop_front();
            if state.waiters.is_empty() {
                // Long-lived mutexes (one per IDE channel) keep no memory between contentions.
                state.waiters = VecDeque::new();
            }
            next
        };
        if let Some(next) = next {
            next.wake();
        }
    }
}
