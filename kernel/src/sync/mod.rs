//! Synchronization.
//!
//! - [`SpinLock`]: interrupts off plus a lock word. For short sections that interrupt
//!   handlers also enter (scheduler queues, device state, the heap). Never held across a
//!   sleep or an `.await`: its guard is neither `Send` nor allowed in a `Send` future.
//! - [`Semaphore`], [`Mutex`] and [`Condvar`]: sleeping primitives for threads. The waiter
//!   blocks and other threads run. Never used inside an interrupt handler, except
//!   [`Semaphore::up`], which does not allocate.
//!
//! Lock order: every lock has a level, found by its name in [`order`] (the tables there are
//! DESIGNDOC.md's "Lock order"). The short version: sleeping locks before spinlocks; among
//! spinlocks, subsystem locks (page tables, frames, swap) before the runtime's, the
//! scheduler's and the heap's, which are innermost. Debug builds panic on a lock taken out
//! of order, naming both locks.
mod condvar;
mod mutex;
pub mod order;
mod semaphore;
mod spin;

pub use condvar::Condvar;
pub use mutex::{Mutex, MutexGuard};
pub use semaphore::Semaphore;
pub use spin::{InterruptsOff, SpinGuard, SpinLock, HeapLock};
