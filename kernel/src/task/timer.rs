//! Timer futures: complete after a number of timer ticks. The timer interrupt wakes the
//! ones that are due.

use alloc::collections::BinaryHeap;
use core::cmp::{Ordering, Reverse};
use core::future::poll_fn;
use core::task::{Poll, Waker};

use crate::devices::timer;
use crate::sync::SpinLock;

struct Alarm {
    due: u64,
    waker: Waker,
}

impl PartialEq for Alarm {
    fn eq(&self, other: &Alarm) -> bool {
        self.due == other.due
    }
}
impl Eq for Alarm {}
impl PartialOrd for Alarm {
    fn partial_cmp(&self, other: &Alarm) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Alarm {
    fn cmp(&self, other: &Alarm) -> Ordering {
        self.due.cmp(&other.due)
    }
}

static ALARMS: SpinLock<BinaryHeap<Reverse<Alarm>>> = SpinLock::new("alarms", BinaryHeap::new());

/// Completes once `ticks` timer ticks have passed.
pub async fn sleep(ticks: u64) {
    let due = timer::ticks() + ticks;
    poll_fn(|cx| {
        let mut alarms = ALARMS.lock();
        if timer::ticks() >= due {
            // The interrupt handler only pops; memory is returned here, in thread context.
            if alarms.is_empty() && alarms.capacity() > 0 {
                *alarms = BinaryHeap::new();
            }
            return Poll::Ready(());
        }
        alarms.push(Reverse(Alarm { due, waker: cx.waker().clone() }));
        Poll::Pending
    })
    .await
}

/// Called by the timer interrupt: wakes every alarm due at or before `now`.
pub fn expire(now: u64) {
    let mut alarms = ALARMS.lock();
    while alarms.peek().is_some_and(|Reverse(alarm)| alarm.due <= now) {
        let Reverse(alarm) = alarms.pop().expect("peeked");
        alarm.waker.wake();
    }
}
