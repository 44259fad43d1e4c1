//! Timer futures: complete after a number of timer ticks. The trap router tells this
//! module the time at every tick ([`expire`]), which wakes the ones that are due.

use alloc::collections::BinaryHeap;
use core::cmp::{Ordering, Reverse};
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

use crate::arch::locked_u64::LockedU64;
use crate::sync::SpinLock;

/// The time of the last tick, in ticks since boot.
static NOW: LockedU64 = LockedU64::new(0);

/// The time of the last tick, in ticks since boot, as the timer futures see it.
pub fn now() -> u64 {
    NOW.load()
}

/// Completes at tick `due` (at once if that has passed).
pub fn sleep_until(due: u64) -> Sleep {
    Sleep { due, alarm: None }
}

struct Alarm {
    due: u64,
    /// Which [`Sleep`] set it.
    id: u64,
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
static NEXT_ID: LockedU64 = LockedU64::new(0);

/// Completes once `ticks` timer ticks have passed.
pub fn sleep(ticks: u64) -> Sleep {
    sleep_until(now() + ticks)
}

/// The future of [`sleep`]. It keeps at most one alarm however often it is polled, and
/// takes it back if it is dropped before it is due.
pub struct Sleep {
    due: u64,
    /// The id of its alarm while one is set.
    alarm: Option<u64>,
}

/// Takes alarm `id` off. Runs in thread context, never in the interrupt handler, so it can
/// give an emptied heap's memory back (the leak checks compare heap bytes).
fn forget(alarms: &mut BinaryHeap<Reverse<Alarm>>, id: u64) {
    alarms.retain(|Reverse(alarm)| alarm.id != id);
    release_if_empty(alarms);
}

fn release_if_empty(alarms: &mut BinaryHeap<Reverse<Alarm>>) {
    if alarms.is_empty() && alarms.capacity() > 0 {
        *alarms = BinaryHeap::new();
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut alarms = ALARMS.lock();
        if now() >= self.due {
            // `expire` took the alarm off (it moves the time under the same lock).
            self.alarm = None;
            release_if_empty(&mut alarms);
            return Poll::Ready(());
        }
        // Polled again before it was due (a stray wake-up): replace the alarm, so that the
        // latest waker is the one woken and no second alarm fires later.
        if let Some(id) = self.alarm {
            forget(&mut alarms, id);
        }
        let id = NEXT_ID.fetch_add(1);
        alarms.push(Reverse(Alarm { due: self.due, id, waker: cx.waker().clone() }));
        self.alarm = Some(id);
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(id) = self.alarm {
            forget(&mut ALARMS.lock(), id);
        }
    }
}

/// Called at every timer tick with the time: wakes every alarm due at or before `now`.
pub fn expire(now: u64) {
    let mut alarms = ALARMS.lock();
    NOW.store(now);
    while alarms.peek().is_some_and(|Reverse(alarm)| alarm.due <= now) {
        let Reverse(alarm) = alarms.pop().expect("peeked");
        alarm.waker.wake();
    }
}
