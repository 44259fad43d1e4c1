//! Kernel threads, the round-robin scheduler, and the primitives threads sleep on.
//!
//! Every thread has its own kernel stack (from the kernel pool) and a reference-counted
//! [`Thread`]. The scheduler keeps one ready queue for all CPUs and a map from thread ids to
//! threads (so a waker can name a thread by id, without owning memory); each CPU's timer
//! preempts its thread after its time slice.
//!
//! A thread that exits cannot free the stack it is running on: the reaper thread frees it
//! once the thread has switched away for good (see `reaper`).
//!
//! The sleeping primitives ([`Semaphore`], [`Mutex`], [`Condvar`]) live here, beside the
//! scheduler they block in (Pintos keeps them in `threads/synch.c`); the spinlocks they are
//! built on are in `sync`, below. They are never used in interrupt handlers, except
//! [`Semaphore::up`], which does not allocate.

mod condvar;
mod mutex;
mod reaper;
mod scheduler;
mod semaphore;
mod thread;

pub use condvar::Condvar;
pub use mutex::Mutex;
pub use scheduler::{
    IDLE_TICKS, KERNEL_TICKS, STACK_BYTES, USER_TICKS, by_tid, current_thread, current_tid, exit, init, join,
    live_threads, park, preempt_on_return, run_cpu, set_time_slice, spawn, tick, time_slice, try_spawn, unpark, wake_first,
    yield_now,
};
pub use semaphore::Semaphore;
pub use thread::{DEEPEST_STACK_USE, Status, Thread, Tid};
