//! Model checking of the kernel's concurrency cores, on the host, with loom: a scenario (a
//! few threads, a few operations) runs again and again until every interleaving of its
//! threads within a bound, and every outcome of its atomic accesses that the memory model
//! allows, has been tried. The cores are checked where they live (`rintos-taskq-loom`); this
//! crate holds what their checks share.
//!
//! Each check comes with planted bugs the checker must find, so that a check that could not
//! fail would be noticed.

use std::panic::{self, AssertUnwindSafe};

/// Runs `scenario` in every interleaving that needs at most `preemptions` forced thread
/// switches (`None`: all of them); panics with the first failure. The bound keeps large
/// models fast: most concurrency bugs need one or two preemptions.
pub fn check(preemptions: Option<usize>, scenario: impl Fn() + Send + Sync + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = preemptions;
    let runs = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let r = runs.clone();
    let t = std::time::Instant::now();
    struct P(std::sync::Arc<std::sync::atomic::AtomicUsize>, std::time::Instant);
    impl Drop for P { fn drop(&mut self) { eprintln!("RUNS {} in {:?}", self.0.load(std::sync::atomic::Ordering::Relaxed), self.1.elapsed()); } }
    let _p = P(runs, t);
    builder.check(move || { r.fetch_add(1, std::sync::atomic::Ordering::Relaxed); scenario() });
}

/// Model-checks `scenario`, into which `bug` was planted, and asserts that the checker finds
/// it: some interleaving fails with a message that contains `failure`.
pub fn assert_found(bug: &str, failure: &str, preemptions: Option<usize>, scenario: impl Fn() + Send + Sync + 'static) {
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| check(preemptions, scenario)));
    let Err(panic) = outcome else { panic!("the model checker missed the planted bug: {bug}") };
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or_default();
    assert!(message.contains(failure), "{bug}: expected a failure with `{failure}`, the checker reported `{message}`");
}
