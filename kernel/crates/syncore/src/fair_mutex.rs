//! A fair mutex for futures: waiting for it suspends the future (and so parks the thread or
//! task that polls it) instead of spinning. The IDE driver uses one per channel to serialize
//! requests.
//!
//! Fairness matters there: a process that swaps issues request after request, and if the
//! mutex were simply released, it would take it again before the waiter it woke had a chance
//! to run, starving every other process's disk I/O. So each waiter draws a ticket, and
//! releasing the mutex hands it to the longest-waiting ticket: first come, first served.

use alloc::collections::VecDeque;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

use crate::{Lock, release_if_empty};

/// How the waiter that is handed the mutex is woken (the kernel lets it run first: it is
/// handed an idle device).
pub trait HandOver {
    fn wake(waker: Waker);
}

/// The tickets, which the mutex's lock guards.
pub struct Tickets {
    /// The ticket the next waiter draws.
    next_ticket: u64,
    /// The ticket that holds (or may now take) the mutex; `next_ticket` when it is free.
    serving: u64,
    /// Waiting tickets, in the order they were drawn, with the waker of each.
    waiters: VecDeque<(u64, Waker)>,
}

impl Tickets {
    pub const fn new() -> Tickets {
        Tickets { next_ticket: 0, serving: 0, waiters: VecDeque::new() }
    }
}

impl Default for Tickets {
    fn default() -> Tickets {
        Tickets::new()
    }
}

/// The mutex: its tickets under a lock `L`, the next holder woken the way `H` says.
pub struct FairMutex<L, H> {
    tickets: L,
    hand_over: PhantomData<fn() -> H>,
    /// A bug the model checker must find (see the tests); never in the kernel.
    #[cfg(test)]
    planted: Option<tests::Bug>,
}

impl<L: Lock<Tickets>, H: HandOver> FairMutex<L, H> {
    /// A free mutex whose tickets (`Tickets::new()`) are guarded by `tickets`.
    pub const fn new(tickets: L) -> FairMutex<L, H> {
        FairMutex {
            tickets,
            hand_over: PhantomData,
            #[cfg(test)]
            planted: None,
        }
    }

    /// The lock that guards the tickets.
    pub fn tickets(&self) -> &L {
        &self.tickets
    }

    /// Completes when it is this caller's turn: the mutex is then held until [`Self::unlock`].
    pub fn turn(&self) -> Turn<'_, L, H> {
        Turn { mutex: self, ticket: None }
    }

    /// Releases the mutex: hands it to the longest waiter and wakes it, or leaves it free.
    pub fn unlock(&self) {
        let next = self.tickets.with(|tickets| {
            #[cfg(test)]
            if self.planted == Some(tests::Bug::ServeTheNextNumber) {
                tickets.serving += 1;
                let serving = tickets.serving;
                let next = tickets.waiters.iter().position(|(ticket, _)| *ticket == serving);
                return next.and_then(|index| tickets.waiters.remove(index)).map(|(_, waker)| waker);
            }
            // The longest waiter, not simply the next number: a ticket whose future was
            // dropped while it waited is no longer in the queue and is skipped.
            let next = tickets.waiters.pop_front();
            tickets.serving = next.as_ref().map_or(tickets.next_ticket, |(ticket, _)| *ticket);
            // Long-lived mutexes (one per IDE channel) keep no memory between contentions.
            release_if_empty(&mut tickets.waiters);
            next.map(|(_, waker)| waker)
        });
        if let Some(waker) = next {
            H::wake(waker);
        }
    }
}

/// Waiting for one's turn. Dropped before its turn came (a cancelled future), it leaves the
/// queue; dropped when its turn had come but before it took the mutex, it passes it on.
pub struct Turn<'a, L: Lock<Tickets>, H: HandOver> {
    mutex: &'a FairMutex<L, H>,
    ticket: Option<u64>,
}

impl<L: Lock<Tickets>, H: HandOver> Future for Turn<'_, L, H> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let drawn = self.ticket;
        #[cfg(test)]
        if drawn.is_some() && self.mutex.planted == Some(tests::Bug::ReadyWhenPolledAgain) {
            self.ticket = None;
            return Poll::Ready(());
        }
        // Drawing the ticket and queueing it is one section: `unlock` never sees a ticket
        // that is drawn but not queued.
        let ticket = self.mutex.tickets.with(|tickets| {
            let ticket = drawn.unwrap_or_else(|| {
                tickets.next_ticket += 1;
                tickets.next_ticket - 1
            });
            if tickets.serving == ticket {
                return None;
            }
            match tickets.waiters.iter_mut().find(|(waiting, _)| *waiting == ticket) {
                Some((_, waker)) => waker.clone_from(cx.waker()),
                None => tickets.waiters.push_back((ticket, cx.waker().clone())),
            }
            Some(ticket)
        });
        self.ticket = ticket;
        if ticket.is_some() { Poll::Pending } else { Poll::Ready(()) }
    }
}

impl<L: Lock<Tickets>, H: HandOver> Drop for Turn<'_, L, H> {
    fn drop(&mut self) {
        let Some(ticket) = self.ticket else { return };
        let its_turn = self.mutex.tickets.with(|tickets| {
            tickets.waiters.retain(|(waiting, _)| *waiting != ticket);
            tickets.serving == ticket
        });
        #[cfg(test)]
        if self.mutex.planted == Some(tests::Bug::CancelledTurnKept) {
            return;
        }
        if its_turn {
            self.mutex.unlock();
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use core::future::poll_fn;
    use core::pin::Pin;
    use core::task::{Poll, Waker};
    use loom::sync::Mutex;
    use loom::sync::atomic::{AtomicUsize, Ordering};
    use loom::thread;
    use rintos_modelcheck::{assert_found, block_on, check};
    // Not loom's `Arc`: see `rintos_modelcheck::Parker`.
    use std::sync::Arc;

    use super::{FairMutex, HandOver, Tickets};
    use crate::Lock;

    /// Bugs planted in the mutex's own lines, each of which the model checker must find.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Bug {
        /// `unlock` serves the next ticket number (as the kernel's first version did), even
        /// when that ticket's future was dropped: everyone behind it waits forever.
        ServeTheNextNumber,
        /// A future dropped when its turn had come keeps the mutex instead of passing it on.
        CancelledTurnKept,
        /// A waiting future takes the mutex whenever it is polled again, whether or not it
        /// was woken for its turn.
        ReadyWhenPolledAgain,
    }

    /// Wakes the new holder as any waker is woken.
    struct Wake;

    impl HandOver for Wake {
        fn wake(waker: Waker) {
            waker.wake();
        }
    }

    type Model = FairMutex<Mutex<Tickets>, Wake>;

    /// Holds the mutex for a moment; fails if someone else holds it too.
    fn hold(mutex: &Model, holders: &AtomicUsize) {
        assert_eq!(holders.fetch_add(1, Ordering::Relaxed), 0, "two holders at once");
        holders.fetch_sub(1, Ordering::Relaxed);
        mutex.unlock();
    }

    /// Takes the mutex (its future polled by the model's `block_on`, which also polls it once
    /// when nothing woke it) and holds it.
    fn take_and_hold(mutex: &Model, holders: &AtomicUsize) {
        block_on(mutex.turn());
        hold(mutex, holders);
    }

    /// `main` holds the mutex while a second caller queues for it and a third polls its turn
    /// once and gives up (its future is dropped: the request was cancelled). Nobody holds it
    /// with anyone else, nobody waits forever (loom reports a deadlock), not even a caller
    /// that comes once they are done.
    fn a_waiter_gives_up(bug: Option<Bug>) {
        let mutex = Arc::new(FairMutex { planted: bug, ..Model::new(Mutex::new(Tickets::new())) });
        let holders = Arc::new(AtomicUsize::new(0));
        block_on(mutex.turn());
        let waiter = {
            let (mutex, holders) = (mutex.clone(), holders.clone());
            thread::spawn(move || take_and_hold(&mutex, &holders))
        };
        let quitter = {
            let (mutex, holders) = (mutex.clone(), holders.clone());
            thread::spawn(move || {
                let mut turn = mutex.turn();
                let first_poll = block_on(poll_fn(|cx| Poll::Ready(Pin::new(&mut turn).poll(cx))));
                drop(turn);
                if first_poll.is_ready() {
                    hold(&mutex, &holders);
                }
            })
        };
        hold(&mutex, &holders);
        waiter.join().unwrap();
        quitter.join().unwrap();
        let latecomer = {
            let (mutex, holders) = (mutex.clone(), holders.clone());
            thread::spawn(move || take_and_hold(&mutex, &holders))
        };
        latecomer.join().unwrap();
        mutex.tickets().with(|tickets| assert!(tickets.waiters.is_empty()));
    }

    /// Two callers take the mutex in turn, twice each.
    fn two_callers_take_turns(bug: Option<Bug>) {
        let mutex = Arc::new(FairMutex { planted: bug, ..Model::new(Mutex::new(Tickets::new())) });
        let holders = Arc::new(AtomicUsize::new(0));
        let other = {
            let (mutex, holders) = (mutex.clone(), holders.clone());
            thread::spawn(move || {
                take_and_hold(&mutex, &holders);
                take_and_hold(&mutex, &holders);
            })
        };
        take_and_hold(&mutex, &holders);
        take_and_hold(&mutex, &holders);
        other.join().unwrap();
    }

    #[test]
    fn callers_take_turns_one_at_a_time() {
        check(|| two_callers_take_turns(None));
    }

    #[test]
    fn a_cancelled_waiter_leaves_no_one_waiting() {
        check(|| a_waiter_gives_up(None));
    }

    #[test]
    fn finds_a_cancelled_ticket_served_by_number() {
        assert_found("ServeTheNextNumber", "deadlock", || a_waiter_gives_up(Some(Bug::ServeTheNextNumber)));
    }

    #[test]
    fn finds_a_cancelled_turn_that_keeps_the_mutex() {
        assert_found("CancelledTurnKept", "deadlock", || a_waiter_gives_up(Some(Bug::CancelledTurnKept)));
    }

    #[test]
    fn finds_a_waiter_that_takes_the_mutex_when_polled_again() {
        assert_found("ReadyWhenPolledAgain", "two holders at once", || {
            two_callers_take_turns(Some(Bug::ReadyWhenPolledAgain))
        });
    }
}
