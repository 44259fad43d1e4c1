//! A fair mutex for futures: waiting for it suspends the future (and so parks the thread or
//! task that polls it) instead of spinning. The IDE driver uses one per channel to serialize
//! requests.
//!
//! Fairness matters there: a process that swaps issues request after request, and if the lock
//! were simply released, it would take it again before the waiter it woke had a chance to run,
//! starving every other process's disk I/O. So each waiter draws a ticket, and releasing the
//! lock hands it to the next ticket: first come, first served.

use alloc::collections::VecDeque;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

use crate::sync::SpinLock;
use crate::threads;

pub struct AsyncMutex {
    state: SpinLock<State>,
}

struct State {
    /// The ticket the next `lock` draws.
    next_ticket: u64,
    /// The ticket that holds (or may now take) the lock.
    serving: u64,
    /// Waiting tickets, in order, with the waker of each.
    waiters: VecDeque<(u64, Waker)>,
}

impl AsyncMutex {
    pub const fn new(name: &'static str) -> AsyncMutex {
        AsyncMutex { state: SpinLock::new(name, State { next_ticket: 0, serving: 0, waiters: VecDeque::new() }) }
    }

    /// Waits until it is this caller's turn, and takes the mutex.
    pub async fn lock(&self) -> AsyncMutexGuard<'_> {
        #[cfg(debug_assertions)]
        let level = crate::sync::order::sleeping_level(self.state.name());
        #[cfg(debug_assertions)]
        crate::sync::order::check_sleeping(self.state.name(), level, threads::current_tid());
        Turn { mutex: self, ticket: None }.await;
        #[cfg(debug_assertions)]
        crate::sync::order::acquired_sleeping(self.state.name(), level, self as *const Self as usize, threads::current_tid());
        AsyncMutexGuard { mutex: self }
    }

    /// Moves the lock on to the next ticket and wakes its waiter.
    fn pass_on(&self) {
        let next = {
            let mut state = self.state.lock();
            state.serving += 1;
            let serving = state.serving;
            let next = state.waiters.iter().position(|(ticket, _)| *ticket == serving);
            let waker = next.and_then(|index| state.waiters.remove(index)).map(|(_, waker)| waker);
            if state.waiters.is_empty() {
                // Long-lived mutexes (one per IDE channel) keep no memory between contentions.
                state.waiters = VecDeque::new();
            }
            waker
        };
        if let Some(waker) = next {
            // The new owner is handed a device (an IDE channel) that is idle until it runs.
            threads::wake_first(|| waker.wake());
        }
    }
}

/// Waiting for one's turn. Dropped before its turn came (a cancelled future), it leaves the
/// queue; dropped when its turn had come but the lock was not taken, it passes the lock on.
struct Turn<'a> {
    mutex: &'a AsyncMutex,
    ticket: Option<u64>,
}

impl Future for Turn<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.mutex.state.lock();
        let ticket = match self.ticket {
            Some(ticket) => ticket,
            None => {
                let ticket = state.next_ticket;
                state.next_ticket += 1;
                ticket
            }
        };
        if state.serving == ticket {
            drop(state);
            self.ticket = None;
            return Poll::Ready(());
        }
        match state.waiters.iter_mut().find(|(waiting, _)| *waiting == ticket) {
            Some((_, waker)) => waker.clone_from(cx.waker()),
            None => state.waiters.push_back((ticket, cx.waker().clone())),
        }
        drop(state);
        self.ticket = Some(ticket);
        Poll::Pending
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let Some(ticket) = self.ticket else { return };
        let its_turn = {
            let mut state = self.mutex.state.lock();
            state.waiters.retain(|(waiting, _)| *waiting != ticket);
            state.serving == ticket
        };
        if its_turn {
            self.mutex.pass_on();
        }
    }
}

pub struct AsyncMutexGuard<'a> {
    mutex: &'a AsyncMutex,
}

impl Drop for AsyncMutexGuard<'_> {
    fn drop(&mut self) {
        #[cfg(debug_assertions)]
        crate::sync::order::released_sleeping(self.mutex as *const AsyncMutex as usize, threads::current_tid());
        self.mutex.pass_on();
    }
}
