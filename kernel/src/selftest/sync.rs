//! Semaphores, locks, condition variables and sleep.

use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::Ordering;

use super::msg;
use crate::devices::timer;
use crate::threads::{Condvar, Mutex, Semaphore};
use crate::threads;

/// Two threads take turns through two semaphores; the log shows strict alternation.
pub fn sema_pingpong() {
    const ROUNDS: usize = 50;
    let ping = Arc::new(Semaphore::new(0));
    let pong = Arc::new(Semaphore::new(0));
    let log = Arc::new(Mutex::new("log", Vec::new()));
    let partner = {
        let (ping, pong, log) = (ping.clone(), pong.clone(), log.clone());
        threads::spawn("pong", move || {
            for _ in 0..ROUNDS {
                ping.down();
                log.lock().push('o');
                pong.up();
            }
        })
    };
    for _ in 0..ROUNDS {
        log.lock().push('i');
        ping.up();
        pong.down();
    }
    crate::threads::join(&partner);
    let log = log.lock();
    assert_eq!(log.len(), 2 * ROUNDS);
    assert!(log.chunks(2).all(|pair| pair == ['i', 'o']), "turns were not strictly alternating");
    msg!("sema-pingpong", "{ROUNDS} rounds alternated");
}

/// Four threads increment a counter under a lock, yielding inside the critical section so
/// that the others try to enter; no increment is lost.
pub fn lock_mutex() {
    let counter = Arc::new(Mutex::new("counter", 0u32));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let counter = counter.clone();
            threads::spawn("incrementer", move || {
                for _ in 0..200 {
                    let mut guard = counter.lock();
                    let seen = *guard;
                    threads::yield_now();
                    *guard = seen + 1;
                }
            })
        })
        .collect();
    for worker in &workers {
        crate::threads::join(&worker);
    }
    assert_eq!(*counter.lock(), 800, "increments were lost");
    msg!("lock-mutex", "800 increments, none lost");
}

/// A bounded queue with condition variables: the consumer receives every item in order
/// although the producer is faster than the queue is long.
pub fn condvar_queue() {
    const ITEMS: u32 = 100;
    const CAPACITY: usize = 3;
    struct Channel {
        queue: Mutex<VecDeque<u32>>,
        not_empty: Condvar,
        not_full: Condvar,
    }
    let channel = Arc::new(Channel { queue: Mutex::new("queue", VecDeque::new()), not_empty: Condvar::new(), not_full: Condvar::new() });
    let producer = {
        let channel = channel.clone();
        threads::spawn("producer", move || {
            for item in 0..ITEMS {
                let mut queue = channel.queue.lock();
                while queue.len() == CAPACITY {
                    queue = channel.not_full.wait(queue);
                }
                queue.push_back(item);
                channel.not_empty.notify_one();
            }
        })
    };
    let mut received = Vec::new();
    while received.len() < ITEMS as usize {
        let mut queue = channel.queue.lock();
        while queue.is_empty() {
            queue = channel.not_empty.wait(queue);
        }
        assert!(queue.len() <= CAPACITY);
        received.push(queue.pop_front().unwrap());
        channel.not_full.notify_all();
    }
    crate::threads::join(&producer);
    assert!(received.iter().copied().eq(0..ITEMS), "items arrived out of order");
    msg!("condvar-queue", "{ITEMS} items in order through a queue of {CAPACITY}");
}

/// Sleepers wake in order of their deadlines, not before them, and sleeping is not busy
/// waiting: the idle thread runs while everybody sleeps.
pub fn timer_sleep() {
    let wakeups = Arc::new(Mutex::new("wakeups", Vec::new()));
    let start = timer::ticks();
    let sleepers: Vec<_> = [30u64, 10, 20]
        .into_iter()
        .map(|ticks| {
            let wakeups = wakeups.clone();
            threads::spawn("sleeper", move || {
                timer::sleep(ticks);
                wakeups.lock().push((ticks, timer::ticks()));
            })
        })
        .collect();
    let idle_before = threads::IDLE_TICKS.load(Ordering::Relaxed);
    for sleeper in &sleepers {
        crate::threads::join(&sleeper);
    }
    let idle_ticks = threads::IDLE_TICKS.load(Ordering::Relaxed) - idle_before;
    let wakeups = wakeups.lock();
    let order: Vec<u64> = wakeups.iter().map(|&(ticks, _)| ticks).collect();
    assert_eq!(order, [10, 20, 30], "sleepers woke out of order");
    for &(ticks, woke) in wakeups.iter() {
        assert!(woke >= start + ticks, "a sleeper woke early");
    }
    assert!(idle_ticks >= 20, "only {idle_ticks} idle ticks during 30 ticks of sleeping: busy waiting?");
    msg!("timer-sleep", "woke in deadline order; the CPU idled while all slept");
}
