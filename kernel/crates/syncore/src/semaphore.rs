//! A counting semaphore whose waiters sleep. `up` hands its unit straight to the longest
//! waiter: the thread that calls `up` cannot take the unit back with its next `down` before
//! the woken waiter runs, and no waiter is passed over forever.

use alloc::collections::VecDeque;
use core::marker::PhantomData;

use crate::{Lock, release_if_empty};

/// How threads sleep and are woken (the kernel's scheduler; loom's threads in the tests).
pub trait Sleep {
    /// Names a thread, so that it can wait in a queue and be woken.
    type Thread: Clone;
    /// The calling thread.
    fn current() -> Self::Thread;
    /// Whether `a` and `b` name the same thread.
    fn same(a: &Self::Thread, b: &Self::Thread) -> bool;
    /// Sleeps until woken. A wake-up that comes while the thread is not asleep is kept for
    /// it, and its next sleep returns at once: so a waiter that has queued itself but not yet
    /// slept does not miss its wake-up. A thread may also be woken by others (a stray
    /// wake-up), for reasons of their own.
    fn sleep();
    /// Wakes `thread`, or keeps the wake-up for its next sleep.
    fn wake(thread: &Self::Thread);
}

/// The value and the waiting threads, which the semaphore's lock guards.
pub struct State<T> {
    value: usize,
    waiters: VecDeque<T>,
}

impl<T> State<T> {
    pub const fn new(value: usize) -> State<T> {
        State { value, waiters: VecDeque::new() }
    }
}

/// The semaphore: its state under a lock `L`, its waiters sleeping the way `S` says.
pub struct Semaphore<L, S> {
    state: L,
    sleep: PhantomData<fn() -> S>,
    /// A bug the model checker must find (see the tests); never in the kernel.
    #[cfg(test)]
    planted: Option<tests::Bug>,
}

impl<L, S> Semaphore<L, S>
where
    S: Sleep,
    L: Lock<State<S::Thread>>,
{
    /// A semaphore whose state (`State::new(value)`) is guarded by `state`.
    pub const fn new(state: L) -> Semaphore<L, S> {
        Semaphore {
            state,
            sleep: PhantomData,
            #[cfg(test)]
            planted: None,
        }
    }

    /// Waits until the value is positive, then decrements it.
    pub fn down(&self) {
        let queued = self.state.with(|state| {
            if state.value > 0 {
                state.value -= 1;
                return None;
            }
            let me = S::current();
            state.waiters.push_back(me.clone());
            Some(me)
        });
        let Some(me) = queued else { return };
        // `up` takes a waiter out of the queue exactly when it hands it a unit, so "no longer
        // queued" means "granted". Anything else that woke us (a stray wake-up) must not
        // count as a unit: we go back to sleep, still in our place in the queue.
        loop {
            S::sleep();
            #[cfg(test)]
            if self.planted == Some(tests::Bug::WokenMeansServed) {
                return;
            }
            if !self.state.with(|state| state.waiters.iter().any(|waiter| S::same(waiter, &me))) {
                return;
            }
        }
    }

    /// Gives one unit to the longest waiter, or increments the value if nobody waits.
    pub fn up(&self) {
        self.state.with(|state| {
            #[cfg(test)]
            if self.planted == Some(tests::Bug::UpIncrements) {
                state.value += 1;
                if let Some(waiter) = state.waiters.front() {
                    S::wake(waiter);
                }
                return;
            }
            match state.waiters.pop_front() {
                // If the waiter is not asleep (it has not slept yet, or a stray wake-up made
                // it run), it finds itself out of the queue when it looks: the same hand-off.
                Some(waiter) => S::wake(&waiter),
                None => state.value += 1,
            }
            release_if_empty(&mut state.waiters);
        })
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use loom::sync::atomic::{AtomicUsize, Ordering};
    use loom::sync::Mutex;
    use loom::thread;
    use rintos_modelcheck::{Parker, assert_found, check};
    // Not loom's `Arc`: see `Parker`.
    use std::sync::Arc;

    use super::{Semaphore, Sleep, State};
    use crate::Lock;

    /// Bugs planted in the semaphore's own lines, each of which the model checker must find.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Bug {
        /// A waiter counts itself served as soon as it is woken, whoever woke it.
        WokenMeansServed,
        /// `up` increments the value and wakes the longest waiter, which is still queued,
        /// instead of handing the unit over.
        UpIncrements,
    }

    loom::thread_local! {
        static ME: Arc<Parker> = Arc::new(Parker::default());
    }

    /// Loom's threads, each sleeping on its [`Parker`], which keeps a wake-up sent before
    /// the sleep unless `KEEPS_WAKE_UPS` is false.
    struct Threads<const KEEPS_WAKE_UPS: bool>;

    impl<const KEEPS_WAKE_UPS: bool> Sleep for Threads<KEEPS_WAKE_UPS> {
        type Thread = Arc<Parker>;

        fn current() -> Arc<Parker> {
            ME.with(Arc::clone)
        }

        fn same(a: &Arc<Parker>, b: &Arc<Parker>) -> bool {
            Arc::ptr_eq(a, b)
        }

        fn sleep() {
            ME.with(|me| me.sleep())
        }

        fn wake(thread: &Arc<Parker>) {
            if KEEPS_WAKE_UPS { thread.wake() } else { thread.wake_if_asleep() }
        }
    }

    type ModelSemaphore<const KEEPS_WAKE_UPS: bool> = Semaphore<Mutex<State<Arc<Parker>>>, Threads<KEEPS_WAKE_UPS>>;

    fn semaphore<const KEEPS_WAKE_UPS: bool>(value: usize, bug: Option<Bug>) -> Arc<ModelSemaphore<KEEPS_WAKE_UPS>> {
        Arc::new(Semaphore { planted: bug, ..Semaphore::new(Mutex::new(State::new(value))) })
    }

    /// Two threads take a binary semaphore in turn, as `threads::Mutex` does, while a third
    /// wakes one of them for no reason (as a stale waker may). At most one holds it at once,
    /// nobody sleeps forever (loom reports a deadlock), and the unit is back at the end.
    fn two_holders_and_a_stray_wake_up(bug: Option<Bug>) {
        let semaphore = semaphore::<true>(1, bug);
        let holders = Arc::new(AtomicUsize::new(0));
        let victim = Arc::new(Mutex::new(None));
        let hold = |semaphore: &ModelSemaphore<true>, holders: &AtomicUsize| {
            semaphore.down();
            assert_eq!(holders.fetch_add(1, Ordering::Relaxed), 0, "two holders at once");
            holders.fetch_sub(1, Ordering::Relaxed);
            semaphore.up();
        };
        let other = {
            let (semaphore, holders, victim) = (semaphore.clone(), holders.clone(), victim.clone());
            thread::spawn(move || {
                *victim.lock().unwrap() = Some(Threads::<true>::current());
                hold(&semaphore, &holders);
            })
        };
        let stray = {
            let victim = victim.clone();
            thread::spawn(move || {
                if let Some(thread) = victim.lock().unwrap().as_ref() {
                    Threads::<true>::wake(thread);
                }
            })
        };
        hold(&semaphore, &holders);
        other.join().unwrap();
        stray.join().unwrap();
        semaphore.state.with(|state| {
            assert_eq!(state.value, 1, "the unit is not back");
            assert!(state.waiters.is_empty());
        });
    }

    /// `up` while the waiter is between queueing itself and sleeping: the wake-up is kept.
    fn up_before_the_waiter_sleeps<const KEEPS_WAKE_UPS: bool>() {
        let semaphore = semaphore::<KEEPS_WAKE_UPS>(0, None);
        let waiter = {
            let semaphore = semaphore.clone();
            thread::spawn(move || semaphore.down())
        };
        semaphore.up();
        waiter.join().unwrap();
        semaphore.state.with(|state| assert_eq!(state.value, 0, "the unit was handed over and taken"));
    }

    #[test]
    fn one_holder_at_a_time_despite_stray_wake_ups() {
        check(|| two_holders_and_a_stray_wake_up(None));
    }

    #[test]
    fn a_wake_up_before_the_sleep_is_kept() {
        check(up_before_the_waiter_sleeps::<true>);
    }

    #[test]
    fn finds_a_waiter_woken_by_anyone_taken_as_served() {
        assert_found("WokenMeansServed", "two holders at once", || {
            two_holders_and_a_stray_wake_up(Some(Bug::WokenMeansServed))
        });
    }

    #[test]
    fn finds_an_up_that_increments_instead_of_handing_over() {
        assert_found("UpIncrements", "deadlock", || two_holders_and_a_stray_wake_up(Some(Bug::UpIncrements)));
    }

    #[test]
    fn finds_a_sleep_that_forgets_an_early_wake_up() {
        assert_found("a sleep without a kept wake-up", "deadlock", up_before_the_waiter_sleeps::<false>);
    }
}
