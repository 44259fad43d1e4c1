//! Synchronization that never sleeps, below the threads: interrupts off, spinlocks, and the
//! lock order every lock of the kernel obeys.
//!
//! - [`SpinLock`]: interrupts off plus a lock word. For short sections that interrupt
//!   handlers also enter (scheduler queues, device state, the heap). Never held across a
//!   sleep or an `.await`: its guard is neither `Send` nor allowed in a `Send` future.
//! - The sleeping primitives (`Semaphore`, `Mutex`, `Condvar`) need a scheduler to sleep
//!   in, so they live with it, in `threads`.
//!
//! Lock order: every lock has a level, found by its name in [`order`] (the tables there are
//! DESIGNDOC.md's "Lock order"). The short version: sleeping locks before spinlocks; among
//! spinlocks, subsystem locks (page tables, frames, swap) before the runtime's, the
//! scheduler's and the heap's, which are innermost. Debug builds panic on a lock taken out
//! of order, naming both locks.
pub mod off_time;
pub mod order;
mod spin;

pub use spin::{HeapLock, InterruptsOff, SpinGuard, SpinLock};
