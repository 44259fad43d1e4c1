//! The lock order, as code: every lock's level, found by its name, and (in debug builds
//! only) a checker that panics when a thread takes a lock out of order, naming both locks.
//!
//! A thread may take a lock only if its level is higher than the level of every lock it
//! holds. Sleeping locks (`Mutex`, the IDE channels' `AsyncMutex`) all come before every
//! spinlock, and no sleeping lock may be taken while a spinlock is held. Locks of one level
//! are never nested. The tables below are the lock-order section of DESIGNDOC.md; a lock
//! whose name is in neither table stops the build (for a `static`) or the debug kernel (for
//! a lock made at run time).
//!
//! Held spinlocks are listed per CPU: a spinlock holder runs with interrupts off until it
//! releases it, so whatever takes a spinlock on that CPU meanwhile is nested inside it.
//! Held sleeping locks are listed with their owner's thread id.
//!
//! Release builds compile none of the checking: locks carry no level and take no detour
//! (so there, the tables below are read by nobody).
#![cfg_attr(not(debug_assertions), allow(dead_code))]

/// Sleeping locks, outermost first.
const SLEEPING: &[(&str, u8)] = &[
    // Only with -vm=serial: held across a whole page fault.
    ("serial fault lock", 1),
    // A process's own tables, held by its own thread.
    ("file descriptors", 2),
    ("mappings", 2),
    ("children", 2),
    ("executable", 2),
    // The file system's directory and free map, then one file's read-modify-write, or the
    // scratch archive's position (`append`, under the file system; never with a writer).
    ("file system", 4),
    ("file writer", 5),
    ("scratch archive", 5),
    // The IDE channels: every disk request, under any of the above.
    ("ide0", 6),
    ("ide1", 6),
    // Leaves: nothing is taken inside them but spinlocks.
    ("live processes", 7),
    ("input readers", 7),
    // The kernel tests' own locks.
    ("log", 7),
    ("counter", 7),
    ("queue", 7),
    ("wakeups", 7),
    ("seen", 7),
    ("order-outer", 8),
    ("order-inner", 9),
];

/// Spinlocks, outermost first; all above every sleeping lock.
const SPINNING: &[(&str, u8)] = &[
    ("process table", 19),
    ("page table", 20),
    ("page", 21),
    ("share table", 22),
    ("clock hand", 23),
    ("frame", 24),
    ("swap table", 25),
    // A process's run of read-back faults: a leaf, copied out at once.
    ("fault run", 25),
    // Whose turn it is to write pages out (load control): a leaf, taken under no other lock.
    ("load-control token", 25),
    // The async runtime: event waiters, the IDE channels' state, alarms, the executor.
    ("event", 26),
    ("ide0", 26),
    ("ide1", 26),
    ("file writer", 26),
    ("alarms", 26),
    ("executor tasks", 26),
    ("executor ids", 26),
    ("task result", 26),
    // Output: the console (its screen's cursor too).
    ("console", 27),
    ("keyboard", 28),
    // Wait queues and thread fields, then the scheduler they hand threads to.
    ("semaphore", 29),
    ("condvar", 29),
    ("thread body", 29),
    ("dead threads", 29),
    ("user entry", 29),
    ("reaper", 28),
    ("scheduler", 30),
    // The heap, whose growth takes pages from the page pools.
    ("heap", 31),
    // A CPU's magazine of free user frames, refilled from the pools (never with the heap).
    ("frame cache", 31),
    ("page pools", 32),
];

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut index = 0;
    while index < a.len() {
        if a[index] != b[index] {
            return false;
        }
        index += 1;
    }
    true
}

const fn find(table: &[(&str, u8)], name: &str) -> Option<u8> {
    let mut index = 0;
    while index < table.len() {
        if same(table[index].0, name) {
            return Some(table[index].1);
        }
        index += 1;
    }
    None
}

/// The level of the sleeping lock `name`.
pub const fn sleeping_level(name: &str) -> u8 {
    match find(SLEEPING, name) {
        Some(level) => level,
        None => panic!("a sleeping lock without a level in sync::order"),
    }
}

/// The level of the spinlock `name`.
pub const fn spinning_level(name: &str) -> u8 {
    match find(SPINNING, name) {
        Some(level) => level,
        None => panic!("a spinlock without a level in sync::order"),
    }
}

#[cfg(debug_assertions)]
pub use checker::{acquired_sleeping, check_sleeping, released_sleeping, spin_acquire, spin_release};

/// Turns the checker off for good (the panic path, which takes locks where it can).
pub fn stop_checking() {
    #[cfg(debug_assertions)]
    checker::stop();
}

#[cfg(debug_assertions)]
mod checker {
    use core::sync::atomic::{AtomicBool, Ordering};

    use spin::mutex::SpinMutex;

    use super::super::InterruptsOff;
    use crate::arch::percpu::{self, MAX_CPUS};

    /// A thread's id, as the scheduler numbers threads (this layer is below it).
    type Tid = u32;

    #[derive(Clone, Copy)]
    struct Held {
        name: &'static str,
        level: u8,
        /// The lock's address: which of several locks of one name this is.
        lock: usize,
        /// The thread holding a sleeping lock (0 for spinlocks).
        owner: Tid,
    }

    const SPIN_SLOTS: usize = 32;
    const SLEEP_SLOTS: usize = 128;

    /// A list of held locks behind `spin`'s plain lock (the checker cannot use the locks it
    /// checks).
    struct Table<const N: usize>(SpinMutex<[Option<Held>; N]>);

    impl<const N: usize> Table<N> {
        const fn new() -> Table<N> {
            Table(SpinMutex::new([None; N]))
        }

        /// Runs `f` on the table. Interrupts must be off, which `_irq` proves: nothing on
        /// this CPU can reach the table meanwhile, and other CPUs wait for a few
        /// instructions at most.
        fn with<R>(&self, _irq: &InterruptsOff, f: impl FnOnce(&mut [Option<Held>; N]) -> R) -> R {
            f(&mut self.0.lock())
        }
    }

    /// The spinlocks each CPU holds: a spinlock holder keeps interrupts off until it
    /// releases it, so whatever takes a spinlock on that CPU meanwhile is nested inside it.
    static SPINS: [Table<SPIN_SLOTS>; MAX_CPUS] = [const { Table::new() }; MAX_CPUS];
    static SLEEPERS: Table<SLEEP_SLOTS> = Table::new();

    fn this_cpu_spins(_irq: &InterruptsOff) -> &'static Table<SPIN_SLOTS> {
        &SPINS[percpu::id()]
    }
    /// Set once a violation is reported, so the panic path can take locks freely.
    static REPORTED: AtomicBool = AtomicBool::new(false);

    fn violation(taken: &str, taken_level: u8, held: Held) -> ! {
        REPORTED.store(true, Ordering::Relaxed);
        panic!(
            "lock order: '{taken}' (level {taken_level}) taken while holding '{}' (level {})",
            held.name, held.level
        );
    }

    fn active() -> bool {
        !REPORTED.load(Ordering::Relaxed)
    }

    pub fn stop() {
        REPORTED.store(true, Ordering::Relaxed);
    }

    fn push<const N: usize>(table: &Table<N>, irq: &InterruptsOff, held: Held) {
        table.with(irq, |slots| match slots.iter_mut().find(|slot| slot.is_none()) {
            Some(slot) => *slot = Some(held),
            None => panic!("lock order: more than {N} locks held at once"),
        });
    }

    fn remove<const N: usize>(table: &Table<N>, irq: &InterruptsOff, lock: usize, owner: Tid) {
        table.with(irq, |slots| {
            if let Some(slot) = slots.iter_mut().rev().find(|slot| slot.is_some_and(|h| h.lock == lock && h.owner == owner)) {
                *slot = None;
            }
        });
    }

    /// Before spinlock `name` at `lock` is taken (interrupts are already off).
    pub fn spin_acquire(name: &'static str, level: u8, lock: usize) {
        if !active() {
            return;
        }
        let irq = InterruptsOff::new();
        let spins = this_cpu_spins(&irq);
        let outer = spins.with(&irq, |slots| slots.iter().flatten().copied().find(|held| held.level >= level));
        if let Some(held) = outer {
            violation(name, level, held);
        }
        push(spins, &irq, Held { name, level, lock, owner: 0 });
    }

    pub fn spin_release(lock: usize) {
        let irq = InterruptsOff::new();
        remove(this_cpu_spins(&irq), &irq, lock, 0);
    }

    /// Before sleeping lock `name` is waited for by the running thread `me`.
    pub fn check_sleeping(name: &'static str, level: u8, me: Tid) {
        if !active() {
            return;
        }
        let irq = InterruptsOff::new();
        if let Some(held) = this_cpu_spins(&irq).with(&irq, |slots| slots.iter().flatten().copied().next()) {
            violation(name, level, held);
        }
        let outer = SLEEPERS
            .with(&irq, |slots| slots.iter().flatten().copied().find(|held| held.owner == me && held.level >= level));
        if let Some(held) = outer {
            violation(name, level, held);
        }
    }

    /// After the running thread `me` took sleeping lock `name` at `lock`.
    pub fn acquired_sleeping(name: &'static str, level: u8, lock: usize, me: Tid) {
        let irq = InterruptsOff::new();
        push(&SLEEPERS, &irq, Held { name, level, lock, owner: me });
    }

    /// After the running thread `me` released the sleeping lock at `lock`.
    pub fn released_sleeping(lock: usize, me: Tid) {
        let irq = InterruptsOff::new();
        remove(&SLEEPERS, &irq, lock, me);
    }
}

