//! Kernel threads: creation, preemption, join.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};

use super::{Counter, msg};
use crate::devices::timer;
use crate::threads::Mutex;
use crate::threads;

/// Five threads run and each records itself once.
pub fn create() {
    let seen = Arc::new(Mutex::new("seen", Vec::new()));
    let workers: Vec<_> = (0..5)
        .map(|i| {
            let seen = seen.clone();
            threads::spawn("worker", move || seen.lock().push(i))
        })
        .collect();
    for worker in &workers {
        crate::threads::join(&worker);
    }
    let mut seen = seen.lock().clone();
    seen.sort();
    assert_eq!(seen, [0, 1, 2, 3, 4], "every thread must run exactly once");
    msg!("threads-create", "5 threads ran");
}

/// A thread that never yields is preempted: another thread makes progress while it spins.
pub fn preempt() {
    let counter = Counter::start(false);
    // Spin without yielding for 20 ticks; only the timer can let the counter run.
    let until = timer::ticks() + 20;
    while timer::ticks() < until {
        core::hint::spin_loop();
    }
    let observed = counter.count();
    counter.finish();
    assert!(observed > 0, "the counter thread never ran while main spun");
    msg!("threads-preempt", "the counter ran while main spun");
}

/// `join` returns only after the thread has finished its work.
pub fn join() {
    let done = Arc::new(AtomicBool::new(false));
    let worker = {
        let done = done.clone();
        threads::spawn("sleeper", move || {
            timer::sleep(5);
            done.store(true, Ordering::Release);
        })
    };
    crate::threads::join(&worker);
    assert!(done.load(Ordering::Acquire), "join returned before the thread finished");
    assert!(threads::by_tid(worker.tid()).is_none(), "a joined thread is no longer listed");
    msg!("threads-join", "joined a thread after it finished");
}
