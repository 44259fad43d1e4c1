//! A one-shot event that any number of futures can wait for: the completion of an
//! in-flight page fill or eviction, which every other fault on the same page waits for
//! instead of starting its own I/O.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::future::poll_fn;
use core::sync::atomic::{AtomicBool, Ordering};
use core::task::{Poll, Waker};

use crate::sync::SpinLock;

pub struct Event {
    fired: AtomicBool,
    waiters: SpinLock<Vec<Waker>>,
}

impl Event {
    pub fn new() -> Arc<Event> {
        Arc::new(Event { fired: AtomicBool::new(false), waiters: SpinLock::new("event", Vec::new()) })
    }

    /// Marks the event as happened and wakes every waiter.
    pub fn fire(&self) {
        self.fired.store(true, Ordering::Release);
        let waiters = core::mem::take(&mut *self.waiters.lock());
        for waiter in waiters {
            waiter.wake();
        }
    }

    /// Completes once the event has fired.
    pub async fn wait(&self) {
        poll_fn(|cx| {
            if self.fired.load(Ordering::Acquire) {
                return Poll::Ready(());
            }
            let mut waiters = self.waiters.lock();
            // Checked again under the lock: `fire` takes the list under the same lock.
            if self.fired.load(Ordering::Acquire) {
                return Poll::Ready(());
            }
            if !waiters.iter().any(|waiter| waiter.will_wake(cx.waker())) {
                waiters.push(cx.waker().clone());
            }
            Poll::Pending
        })
        .await
    }
}
