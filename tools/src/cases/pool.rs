//! The worker pool that runs cases at once. Its size counts host CPUs, not machines: QEMU
//! runs each virtual CPU on a host thread of its own, so a case on N virtual CPUs takes N of
//! the pool's slots.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::mpsc;

/// The pool's slots: `RINTOS_JOBS` if set to a positive number, else the host's cores.
pub fn default_slots() -> usize {
    std::env::var("RINTOS_JOBS")
        .ok()
        .and_then(|jobs| jobs.parse().ok())
        .filter(|&jobs| jobs > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |cores| cores.get()))
}

/// Runs every job, in order, each on a thread of its own, with the weights of the running
/// jobs adding up to at most `slots`. `prepare` is called on this thread before a job waits
/// for its slots, and returns the job's weight (a job heavier than the pool runs alone)
/// and what `work` needs to run it. Returns the results in the order of `jobs`.
pub fn run<J: Sync, P: Send, R: Send>(
    jobs: &[J],
    slots: usize,
    mut prepare: impl FnMut(&J) -> (usize, P),
    work: impl Fn(&J, P) -> R + Sync,
) -> Vec<R> {
    let slots = slots.max(1);
    let mut results: Vec<Option<R>> = jobs.iter().map(|_| None).collect();
    std::thread::scope(|scope| {
        let (finished, finishes) = mpsc::channel();
        let mut free = slots;
        let mut running = 0;
        let mut pending = jobs.iter().enumerate();
        // The next job, prepared, until its slots are free.
        let mut waiting = None;
        loop {
            if waiting.is_none() {
                waiting = pending.next().map(|(index, job)| {
                    let (weight, prepared) = prepare(job);
                    (index, weight.clamp(1, slots), prepared)
                });
            }
            match waiting.take() {
                Some((index, weight, prepared)) if weight <= free => {
                    free -= weight;
                    running += 1;
                    let finished = finished.clone();
                    let work = &work;
                    let job = &jobs[index];
                    scope.spawn(move || {
                        let result = catch_unwind(AssertUnwindSafe(|| work(job, prepared)));
                        let _ = finished.send((index, weight, result));
                    });
                }
                not_yet => {
                    waiting = not_yet;
                    if running == 0 {
                        break;
                    }
                    let (index, weight, result) =
                        finishes.recv().expect("this thread holds a sender");
                    free += weight;
                    running -= 1;
                    results[index] = Some(result.unwrap_or_else(|panic| resume_unwind(panic)));
                }
            }
        }
    });
    results
        .into_iter()
        .map(|result| result.expect("every job ran"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Condvar, Mutex};
    use std::time::Duration;

    /// The slots in use now and at most, and the jobs started.
    #[derive(Default)]
    struct Load {
        now: usize,
        most: usize,
        started: usize,
    }

    /// Runs jobs of these weights on `slots`; each holds its slots until the pool is full
    /// or every job has started (so that a busy host that is slow to start a job's thread
    /// cannot make the pool look emptier than it is), or for a second at most. Returns the
    /// results and the largest total weight that ran at once.
    fn weigh(weights: &[usize], slots: usize) -> (Vec<usize>, usize) {
        let load = Mutex::new(Load::default());
        let changed = Condvar::new();
        let results = run(
            weights,
            slots,
            |&weight| (weight, weight.min(slots)),
            |&weight, held| {
                let mut state = load.lock().unwrap();
                state.started += 1;
                state.now += held;
                state.most = state.most.max(state.now);
                changed.notify_all();
                let (mut state, _) = changed
                    .wait_timeout_while(state, Duration::from_secs(1), |state| {
                        state.now < slots && state.started < weights.len()
                    })
                    .unwrap();
                state.now -= held;
                changed.notify_all();
                weight * 10
            },
        );
        (results, load.into_inner().unwrap().most)
    }

    #[test]
    fn every_job_runs_and_results_come_in_order() {
        let weights = [1, 2, 1, 1, 2, 1, 1];
        let (results, _) = weigh(&weights, 3);
        assert_eq!(results, [10, 20, 10, 10, 20, 10, 10]);
        assert!(run(&[] as &[u8], 2, |_| (1, ()), |_, ()| ()).is_empty());
    }

    #[test]
    fn the_running_weights_never_exceed_the_slots_but_fill_them() {
        assert_eq!(weigh(&[1, 1, 1, 1, 1], 2).1, 2);
        assert_eq!(weigh(&[2, 1, 2, 1, 1, 2], 2).1, 2);
        assert_eq!(weigh(&[2, 1, 1, 2], 3).1, 3);
        assert_eq!(weigh(&[1, 1, 1, 1], 1).1, 1);
    }

    #[test]
    fn a_job_heavier_than_the_pool_runs_alone() {
        // Weight 4 on 2 slots: it takes both, and nothing runs beside it.
        let (results, most) = weigh(&[1, 4, 1], 2);
        assert_eq!((results, most), (vec![10, 40, 10], 2));
    }

    #[test]
    #[should_panic(expected = "job 2 failed")]
    fn a_panicking_job_panics_the_caller_instead_of_hanging() {
        run(
            &[1, 2, 3],
            2,
            |_| (1, ()),
            |&job, ()| assert!(job != 2, "job {job} failed"),
        );
    }
}
