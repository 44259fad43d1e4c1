//! The kernel's self-tests, run by the `ktest NAME` action (the way Pintos runs its project-1 tests
//! with `run NAME`). A test prints `(NAME) begin`, its observations, and `(NAME) end`; it
//! fails by panicking, which the runner reports as a failure.

mod ata;
mod executor;
mod leak;
mod order;
mod panic;
mod sync;
mod threads;

use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, Ordering};

use crate::arch::locked_u64::LockedU64;
use crate::threads::Thread;
use crate::{println, resources};

type Test = fn();

const TESTS: &[(&str, Test)] = &[
    ("threads-create", threads::create),
    ("threads-preempt", threads::preempt),
    ("threads-join", threads::join),
    ("sema-pingpong", sync::sema_pingpong),
    ("lock-mutex", sync::lock_mutex),
    ("condvar-queue", sync::condvar_queue),
    ("timer-sleep", sync::timer_sleep),
    ("sync-contention", sync::contention),
    ("locked-u64", sync::locked_u64),
    ("executor-many", executor::many),
    ("executor-irq", executor::irq),
    ("executor-block-on", executor::block_on),
    ("ata-primary", ata::primary),
    ("ata-secondary", ata::secondary),
    ("ata-both-channels", ata::both_channels),
    ("ata-overlap", ata::overlap),
    ("ata-dma", ata::dma),
    ("ata-stopped", ata::stopped),
    ("panic", panic::deliberate),
    ("double-fault", panic::double_fault),
    ("panic-recursion", panic::recursion),
    ("lock-order", order::violation),
];

/// Tests that pass by failing the leak check, run only by the runner case `leak-check`.
const DELIBERATE_LEAKS: &[(&str, Test)] = &[("leak", leak::everything)];

/// Runs the kernel test `name`, framed like a `run` action.
pub fn run(name: &str) {
    let Some((_, test)) = TESTS.iter().chain(DELIBERATE_LEAKS).find(|(test, _)| *test == name) else {
        let names: alloc::vec::Vec<&str> = TESTS.iter().map(|(name, _)| *name).collect();
        println!("ktest: no test named '{name}'; the tests are: {}", names.join(" "));
        return;
    };
    resources::measured(|| {
        println!("Executing 'ktest {name}':");
        println!("({name}) begin");
        test();
        println!("({name}) end");
        println!("Execution of 'ktest {name}' complete.");
    });
}

/// A thread that counts until stopped: the tests watch its count to see whether it ran.
struct Counter {
    count: Arc<LockedU64>,
    stop: Arc<AtomicBool>,
    thread: Arc<Thread>,
}

impl Counter {
    /// Starts counting; with `polite`, the thread yields after every step (so it also runs
    /// without preemption), otherwise it spins.
    fn start(polite: bool) -> Counter {
        let (count, stop) = (Arc::new(LockedU64::new(0)), Arc::new(AtomicBool::new(false)));
        let thread = {
            let (count, stop) = (count.clone(), stop.clone());
            crate::threads::spawn("counter", move || {
                while !stop.load(Ordering::Relaxed) {
                    count.fetch_add(1);
                    if polite {
                        crate::threads::yield_now();
                    } else {
                        core::hint::spin_loop();
                    }
                }
            })
        };
        Counter { count, stop, thread }
    }

    fn count(&self) -> u64 {
        self.count.load()
    }

    /// Stops the thread and waits for it to end.
    fn finish(self) {
        self.stop.store(true, Ordering::Relaxed);
        crate::threads::join(&self.thread);
    }
}

/// Prints a line of the test's output.
macro_rules! msg {
    ($name:expr, $($arg:tt)*) => { $crate::println!("({}) {}", $name, format_args!($($arg)*)) };
}
use msg;
