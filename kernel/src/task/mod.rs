//! The kernel's async runtime.
//!
//! Two ways to run a future:
//! - [`block_on`] polls it on the calling thread and parks the thread whenever it is
//!   pending; the waker only names the thread. Every page fault runs its future this way,
//!   and a fault that needs no I/O completes in its first poll.
//! - [`spawn`] hands it to the executor thread, which polls ready tasks in wake-up order. A
//!   fault that reads the disk spawns its fill and awaits the task's handle: its thread
//!   sleeps until the task is done, and every other thread keeps running.
//!
//! Wakers in this kernel are plain ids (of a thread or of a task): cloning and dropping them
//! costs nothing and never frees memory, so interrupt handlers may wake freely.

mod event;
mod executor;
mod mutex;
pub mod timer;

use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

pub use event::Event;
#[cfg(debug_assertions)]
pub use executor::lock_owner;
pub use executor::{spawn, start_executor, try_spawn};
pub use mutex::AsyncMutex;

use crate::arch::locked_u64::LockedU64;
use crate::threads::{self, Tid};

/// Polls made by `block_on` and the executor (a counter of the statistics).
pub static POLLS: LockedU64 = LockedU64::new(0);

fn thread_waker(tid: Tid) -> Waker {
    fn clone(data: *const ()) -> RawWaker {
        RawWaker::new(data, &VTABLE)
    }
    fn wake(data: *const ()) {
        threads::unpark(data as usize as Tid);
    }
    fn drop(_: *const ()) {}
    static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake, drop);
    // SAFETY: the vtable functions treat `data` as a plain integer and never dereference it.
    unsafe { Waker::from_raw(RawWaker::new(tid as usize as *const (), &VTABLE)) }
}

/// Runs `future` to completion on the calling thread, sleeping while it is pending.
pub fn block_on<F: Future>(future: F) -> F::Output {
    assert!(!crate::arch::percpu::in_external_interrupt(), "block_on inside an interrupt handler");
    let waker = thread_waker(threads::current_tid());
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        POLLS.fetch_add(1);
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        threads::park();
    }
}
