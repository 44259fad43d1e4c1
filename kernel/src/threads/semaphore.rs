//! A counting semaphore whose waiters sleep: the core of `rintos_syncore::semaphore` (which
//! the host model-checks), with the kernel's spinlock around its state and the scheduler
//! putting its waiters to sleep.

use alloc::sync::Arc;

use rintos_syncore::semaphore::{Semaphore as Core, Sleep, State};

use super::scheduler;
use super::thread::Thread;
use crate::sync::{InterruptsOff, SpinLock};

pub(super) use rintos_syncore::release_if_empty;

/// `up` hands its unit straight to the longest waiter, so the thread that releases cannot take
/// it back first and nobody waits forever; being taken off the queue is the hand-off, so a
/// waiter woken by anything else goes back to sleep. (Interrupt handlers do not use
/// semaphores: they wake threads through wakers, which never allocate or free.)
pub struct Semaphore {
    core: Core<SpinLock<State<Arc<Thread>>>, Scheduler>,
}

impl Semaphore {
    pub const fn new(value: usize) -> Semaphore {
        Semaphore { core: Core::new(SpinLock::new("semaphore", State::new(value))) }
    }

    /// Waits until the value is positive, then decrements it.
    pub fn down(&self) {
        // Interrupts stay off from the check to the sleep, so the thread is not preempted
        // while it is queued but still awake (a wake-up then would be kept for its sleep
        // anyway, see `Sleep::sleep`; this only saves a switch).
        let _irq = InterruptsOff::new();
        self.core.down();
    }

    /// Gives one unit to the longest waiter, or increments the value if nobody waits.
    pub fn up(&self) {
        self.core.up();
    }
}

/// Waiters sleep in the scheduler: `block_current` keeps a wake-up that `unblock` sent
/// before the thread blocked.
struct Scheduler;

impl Sleep for Scheduler {
    type Thread = Arc<Thread>;

    fn current() -> Arc<Thread> {
        scheduler::current()
    }

    fn same(a: &Arc<Thread>, b: &Arc<Thread>) -> bool {
        Arc::ptr_eq(a, b)
    }

    fn sleep() {
        scheduler::block_current();
    }

    fn wake(thread: &Arc<Thread>) {
        scheduler::unblock(thread);
    }
}
