//! Model checking of the kernel's concurrency cores, on the host, with loom: a scenario (a
//! few threads, a few operations) runs again and again until every interleaving of its
//! threads, and every outcome of its atomic accesses that the memory model allows, has been
//! tried. The cores are checked where they live (`rintos-taskq-loom`,
//! `rintos-syncore`); this crate holds what their checks share, and [`vm`], a model of the
//! fault, eviction and release protocol over the frame life cycle of `rintos-vmcore`.
//!
//! Each check comes with planted bugs the checker must find, so that a check that could not
//! fail would be noticed.

use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use loom::sync::{Condvar, Mutex};

pub mod vm;

/// Runs `scenario` in every interleaving of its threads, with no bound on the number of
/// forced thread switches (the models are small enough); panics with the first failure.
pub fn check(scenario: impl Fn() + Send + Sync + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = None;
    builder.check(scenario);
}

/// Model-checks `scenario`, into which `bug` was planted, and asserts that the checker finds
/// it: some interleaving fails with a message that contains `failure`.
pub fn assert_found(bug: &str, failure: &str, scenario: impl Fn() + Send + Sync + 'static) {
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| check(scenario)));
    let Err(panic) = outcome else { panic!("the model checker missed the planted bug: {bug}") };
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or_default();
    assert!(message.contains(failure), "{bug}: expected a failure with `{failure}`, the checker reported `{message}`");
}

/// Where a model thread sleeps, as a kernel thread sleeps in the scheduler (`block_current`,
/// `unblock`): a wake-up sent while it is awake is kept, and its next sleep returns at once.
///
/// Share it with `std`'s `Arc`, not loom's: after loom has reported a deadlock it unwinds the
/// stuck threads, and dropping a loom `Arc` then aborts the test instead of failing it.
#[derive(Default)]
pub struct Parker {
    state: Mutex<Parked>,
    woken_up: Condvar,
}

#[derive(Default)]
struct Parked {
    asleep: bool,
    woken: bool,
}

impl Parker {
    /// Sleeps until woken, or returns at once if a wake-up was kept.
    pub fn sleep(&self) {
        let mut parked = self.state.lock().unwrap();
        parked.asleep = true;
        while !parked.woken {
            parked = self.woken_up.wait(parked).unwrap();
        }
        *parked = Parked::default();
    }

    /// Wakes the sleeper, or keeps the wake-up for its next sleep.
    pub fn wake(&self) {
        self.wake_if(true);
    }

    /// Wakes the sleeper only if it is asleep already: a sleep that forgets a wake-up sent
    /// before it (a planted bug of the sleeping mechanism itself).
    pub fn wake_if_asleep(&self) {
        self.wake_if(false);
    }

    fn wake_if(&self, awake_too: bool) {
        let mut parked = self.state.lock().unwrap();
        if parked.asleep || awake_too {
            parked.woken = true;
            self.woken_up.notify_one();
        }
    }
}

impl Wake for Parker {
    fn wake(self: Arc<Parker>) {
        Parker::wake(&self);
    }
}

/// Runs `future` on the calling model thread as the kernel's `task::block_on` does: polls it,
/// and sleeps until its waker is called whenever it is pending. After its first pending poll
/// it polls it once more without a wake-up, as a thread woken for another reason would (a
/// stale waker; a task that awaits two things): a future must not take that for its own event.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let parker = Arc::new(Parker::default());
    let waker = Waker::from(parker.clone());
    let mut context = Context::from_waker(&waker);
    // Left undropped if a failure unwinds this thread: loom has ended the execution, and the
    // future's destructor may touch loom's objects (a dropped `Turn` leaves its queue).
    let mut future = ManuallyDrop::new(Box::pin(future));
    let mut pending_polls = 0;
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            drop(ManuallyDrop::into_inner(future));
            return output;
        }
        pending_polls += 1;
        if pending_polls > 1 {
            parker.sleep();
        }
    }
}
