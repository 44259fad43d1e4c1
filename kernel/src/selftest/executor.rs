//! The executor: many tasks, wake-ups from an interrupt, and `block_on` parking a thread.

use alloc::sync::Arc;
use alloc::vec::Vec;

use super::{Counter, msg};
use crate::arch::locked_u64::LockedU64;
use crate::devices::timer;
use crate::task::{self, timer::sleep};
use crate::threads::{self, Status};

/// 300 tasks, each suspended on a timer, all complete and each runs its body once.
pub fn many() {
    const TASKS: u64 = 300;
    let finished = Arc::new(LockedU64::new(0));
    let handles: Vec<_> = (0..TASKS)
        .map(|i| {
            let finished = finished.clone();
            task::spawn(async move {
                sleep(i % 7).await;
                finished.fetch_add(1);
                i
            })
            .expect("the executor has room for 300 tasks")
        })
        .collect();
    let sum: u64 = handles.into_iter().map(|handle| handle.join()).sum();
    assert_eq!(finished.load(), TASKS);
    assert_eq!(sum, TASKS * (TASKS - 1) / 2, "a task's output went missing");
    msg!("executor-many", "{TASKS} tasks completed");
}

/// A task waiting on a timer future is woken by the timer interrupt: it completes although
/// no thread polls it in between.
pub fn irq() {
    let woke_at = Arc::new(LockedU64::new(0));
    let start = timer::ticks();
    let handle = {
        let woke_at = woke_at.clone();
        task::spawn(async move {
            sleep(15).await;
            woke_at.store(timer::ticks());
        })
        .expect("room for one task")
    };
    handle.join();
    let woke = woke_at.load();
    assert!(woke >= start + 15, "the task completed before its deadline");
    msg!("executor-irq", "a timer interrupt woke the task");
}

/// While one thread is parked in `block_on`, another keeps running; the parked thread is
/// really blocked (not spinning) for the whole wait.
pub fn block_on() {
    let waiter = threads::spawn("waiter", || task::block_on(sleep(20)));
    let worker = Counter::start(true);
    timer::sleep(5);
    assert_eq!(waiter.status(), Status::Blocked, "the waiter should be parked");
    let during = worker.count();
    crate::threads::join(&waiter);
    worker.finish();
    assert!(during > 0, "the worker made no progress while the waiter was parked");
    msg!("executor-block-on", "the worker ran while the waiter was parked");
}
