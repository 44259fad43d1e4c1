//! Semaphores, locks, condition variables and sleep.

use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};

use super::msg;
use crate::arch::locked_u64::LockedU64;
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
    let idle_before = threads::IDLE_TICKS.load();
    for sleeper in &sleepers {
        crate::threads::join(&sleeper);
    }
    let idle_ticks = threads::IDLE_TICKS.load() - idle_before;
    let wakeups = wakeups.lock();
    let order: Vec<u64> = wakeups.iter().map(|&(ticks, _)| ticks).collect();
    assert_eq!(order, [10, 20, 30], "sleepers woke out of order");
    for &(ticks, woke) in wakeups.iter() {
        assert!(woke >= start + ticks, "a sleeper woke early");
    }
    assert!(idle_ticks >= 20, "only {idle_ticks} idle ticks during 30 ticks of sleeping: busy waiting?");
    msg!("timer-sleep", "woke in deadline order; the CPU idled while all slept");
}

/// Every primitive at once from every CPU: pairs of threads hand a token back and forth
/// through two semaphores, counting each turn under one shared mutex, while producers and
/// consumers pass items through a queue guarded by a mutex and a condition variable. A
/// wake-up lost anywhere stops a pair or a consumer for good (the test then runs into its
/// timeout); a lost update shows in the counts.
pub fn contention() {
    const PAIRS: usize = 4;
    const TURNS: usize = 12_500;
    const ITEMS: usize = 5_000;
    let turns = Arc::new(Mutex::new("counter", 0usize));
    let mut workers = Vec::new();
    for _ in 0..PAIRS {
        let (ping, pong) = (Arc::new(Semaphore::new(0)), Arc::new(Semaphore::new(0)));
        for serves in [true, false] {
            let (ping, pong, turns) = (ping.clone(), pong.clone(), turns.clone());
            workers.push(threads::spawn("ping-pong", move || {
                let (mine, theirs) = if serves { (&ping, &pong) } else { (&pong, &ping) };
                for _ in 0..TURNS {
                    mine.down();
                    *turns.lock() += 1;
                    theirs.up();
                }
            }));
        }
        // The first turn is the server's.
        ping.up();
    }
    let queue = Arc::new((Mutex::new("queue", VecDeque::new()), Condvar::new()));
    let consumed = Arc::new(Mutex::new("seen", 0usize));
    for _ in 0..2 {
        let producer_queue = queue.clone();
        workers.push(threads::spawn("producer", move || {
            for item in 0..ITEMS {
                producer_queue.0.lock().push_back(item);
                producer_queue.1.notify_one();
            }
        }));
        let (queue, consumed) = (queue.clone(), consumed.clone());
        workers.push(threads::spawn("consumer", move || {
            for _ in 0..ITEMS {
                let mut items = queue.0.lock();
                while items.is_empty() {
                    items = queue.1.wait(items);
                }
                items.pop_front();
                drop(items);
                *consumed.lock() += 1;
            }
        }));
    }
    for worker in &workers {
        threads::join(worker);
    }
    assert_eq!(*turns.lock(), PAIRS * 2 * TURNS, "a turn was lost");
    assert_eq!(*consumed.lock(), 2 * ITEMS, "an item was lost");
    msg!("sync-contention", "{} semaphore turns and {} queued items, none lost", PAIRS * 2 * TURNS, 2 * ITEMS);
}

/// A `LockedU64` stays exact and whole while writers add to it and readers read it at once
/// (from every CPU in smp4/kernel/locked-u64), with the timer interrupt updating its own
/// `LockedU64` (the ticks) meanwhile. Each addition moves both 32-bit halves by one, so a read
/// whose halves differ saw half of an update; a lost update shows in the total.
pub fn locked_u64() {
    const WRITERS: usize = 4;
    const READERS: usize = 2;
    const ADDS: u64 = 20_000;
    const BOTH_HALVES: u64 = 1 << 32 | 1;
    let value = Arc::new(LockedU64::new(0));
    let writing = Arc::new(AtomicBool::new(true));
    let writers: Vec<_> = (0..WRITERS)
        .map(|_| {
            let value = value.clone();
            threads::spawn("adder", move || {
                for _ in 0..ADDS {
                    value.fetch_add(BOTH_HALVES);
                }
            })
        })
        .collect();
    let readers: Vec<_> = (0..READERS)
        .map(|_| {
            let (value, writing) = (value.clone(), writing.clone());
            threads::spawn("reader", move || {
                let mut ticks = timer::ticks();
                while writing.load(Ordering::Acquire) {
                    let seen = value.load();
                    assert_eq!(seen >> 32, seen & 0xFFFF_FFFF, "a read of {seen:#x} saw half of an update");
                    let now = timer::ticks();
                    assert!(now >= ticks, "the ticks went back from {ticks} to {now}");
                    ticks = now;
                }
            })
        })
        .collect();
    for writer in &writers {
        threads::join(writer);
    }
    writing.store(false, Ordering::Release);
    for reader in &readers {
        threads::join(reader);
    }
    let total = WRITERS as u64 * ADDS;
    assert_eq!(value.load(), total * BOTH_HALVES, "an addition was lost");
    assert_eq!(value.fetch_max(1), total * BOTH_HALVES);
    assert_eq!(value.fetch_sub(total * BOTH_HALVES), total * BOTH_HALVES);
    assert_eq!(value.fetch_max(7), 0);
    assert_eq!(value.load(), 7);
    msg!("locked-u64", "{total} additions from {WRITERS} threads, none lost, no read saw half of one");
}
