//! The executor thread: runs spawned tasks, each polled when its waker fires.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::future::Future;
use core::pin::Pin;
#[cfg(debug_assertions)]
use core::sync::atomic::AtomicUsize;
use core::sync::atomic::{AtomicU32, Ordering};
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use conquer_once::spin::OnceCell;
use futures_util::task::AtomicWaker;
use rintos_taskq::ReadyQueue;

use super::POLLS;
use crate::sync::SpinLock;
use crate::threads;

/// Tasks that may exist at once.
const MAX_TASKS: usize = 1024;

type Task = Pin<Box<dyn Future<Output = ()> + Send>>;

struct Executor {
    ready: ReadyQueue,
    /// Slot `id` holds task `id`, or `None` while it is being polled or after it finished.
    tasks: SpinLock<Vec<Option<Task>>>,
    /// Task ids whose slot is free.
    free_ids: SpinLock<Vec<usize>>,
    thread: AtomicU32,
    /// The task being polled, plus one (0 between polls): the owner of any sleeping lock
    /// that the executor thread takes meanwhile (see [`lock_owner`]; only the lock-order
    /// checker of debug builds asks).
    #[cfg(debug_assertions)]
    polling: AtomicUsize,
}

static EXECUTOR: OnceCell<Executor> = OnceCell::uninit();

fn executor() -> &'static Executor {
    EXECUTOR.get().expect("task::start_executor not called")
}

fn task_waker(id: usize) -> Waker {
    fn clone(data: *const ()) -> RawWaker {
        RawWaker::new(data, &VTABLE)
    }
    fn wake(data: *const ()) {
        let executor = executor();
        if executor.ready.wake(data as usize) {
            threads::unpark(executor.thread.load(Ordering::Relaxed));
        }
    }
    fn drop(_: *const ()) {}
    static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake, drop);
    // SAFETY: the vtable treats `data` as a task id and never dereferences it.
    unsafe { Waker::from_raw(RawWaker::new(id as *const (), &VTABLE)) }
}

/// Starts the executor thread.
pub fn start_executor() {
    EXECUTOR.init_once(|| Executor {
        ready: ReadyQueue::new(MAX_TASKS),
        tasks: SpinLock::new("executor tasks", (0..MAX_TASKS).map(|_| None).collect()),
        free_ids: SpinLock::new("executor ids", (0..MAX_TASKS).rev().collect()),
        thread: AtomicU32::new(0),
        #[cfg(debug_assertions)]
        polling: AtomicUsize::new(0),
    });
    let thread = threads::spawn("executor", run);
    executor().thread.store(thread.tid(), Ordering::Relaxed);
    threads::unpark(thread.tid());
}

fn run() {
    let executor = executor();
    loop {
        while let Some(id) = executor.ready.pop() {
            // Take the task out so that polling runs without the lock (the task may spawn
            // or wake others).
            let Some(mut task) = executor.tasks.lock()[id].take() else { continue };
            let waker = task_waker(id);
            POLLS.fetch_add(1);
            #[cfg(debug_assertions)]
            executor.polling.store(id + 1, Ordering::Relaxed);
            let poll = task.as_mut().poll(&mut Context::from_waker(&waker));
            #[cfg(debug_assertions)]
            executor.polling.store(0, Ordering::Relaxed);
            match poll {
                Poll::Pending => executor.tasks.lock()[id] = Some(task),
                Poll::Ready(()) => {
                    drop(task);
                    executor.free_ids.lock().push(id);
                }
            }
        }
        threads::park();
    }
}

struct Completion<T> {
    value: SpinLock<Option<T>>,
    waiter: AtomicWaker,
}

/// The result of a spawned task: `.await` it, or [`JoinHandle::join`] from a thread.
pub struct JoinHandle<T> {
    completion: Arc<Completion<T>>,
}

impl<T> Future for JoinHandle<T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        self.completion.waiter.register(cx.waker());
        match self.completion.value.lock().take() {
            Some(value) => Poll::Ready(value),
            None => Poll::Pending,
        }
    }
}

impl<T> JoinHandle<T> {
    /// Sleeps the calling thread until the task has finished; returns its output.
    pub fn join(self) -> T {
        super::block_on(self)
    }
}

/// Runs `future` on the executor thread. Fails (returns the future's handle as `None`)
/// when [`MAX_TASKS`] tasks already exist.
pub fn spawn<F>(future: F) -> Option<JoinHandle<F::Output>>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    try_spawn(future).ok()
}

/// As [`spawn`], but hands the future back, unpolled, when [`MAX_TASKS`] tasks already
/// exist, so that the caller can run it some other way.
pub fn try_spawn<F>(future: F) -> Result<JoinHandle<F::Output>, F>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let executor = executor();
    let Some(id) = executor.free_ids.lock().pop() else { return Err(future) };
    let completion = Arc::new(Completion { value: SpinLock::new("task result", None), waiter: AtomicWaker::new() });
    let done = completion.clone();
    let task: Task = Box::pin(async move {
        let output = future.await;
        *done.value.lock() = Some(output);
        // A thread that joins a task waits for it as for a device: it runs before the
        // threads that compute, as a disk interrupt's waiter would.
        threads::wake_first(|| done.waiter.wake());
    });
    executor.tasks.lock()[id] = Some(task);
    task_waker(id).wake();
    Ok(JoinHandle { completion })
}

/// Who takes a sleeping lock now, for the lock-order checker: the running thread, or, on
/// the executor thread, the task it polls. Tasks interleave at their `.await`s, so two of
/// them may each wait for or hold an IDE channel at once, as two threads may.
#[cfg(debug_assertions)]
pub fn lock_owner() -> threads::Tid {
    let me = threads::current_tid();
    match EXECUTOR.get() {
        Some(executor) if executor.thread.load(Ordering::Relaxed) == me => match executor.polling.load(Ordering::Relaxed) {
            0 => me,
            task => TASK_OWNERS | task as threads::Tid,
        },
        _ => me,
    }
}

/// Lock owners that are tasks, not threads: thread ids stay far below.
#[cfg(debug_assertions)]
const TASK_OWNERS: threads::Tid = 1 << 31;
