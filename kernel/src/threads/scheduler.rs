//! The round-robin scheduler: a ready queue, the running thread, the idle thread, and the
//! ways a thread leaves the CPU (blocking, parking, yielding, being preempted, exiting). It
//! runs with interrupts off on our single CPU; the timer preempts a thread after
//! [`TIME_SLICE`] ticks.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, VecDeque};
use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, Ordering};

use super::reaper;
use super::thread::{self, Status, Thread, Tid};
use crate::arch::{cpu, gdt, paging, switch};
use crate::sync::{InterruptsOff, SpinLock};

/// Bytes of every kernel thread's stack.
pub const STACK_BYTES: usize = thread::STACK_PAGES * crate::memory::PAGE_SIZE;

/// Timer ticks a thread may run before it is preempted (`-slice=N` changes it).
static TIME_SLICE: AtomicU32 = AtomicU32::new(4);

/// Sets the time slice in ticks.
pub fn set_time_slice(ticks: u32) {
    TIME_SLICE.store(ticks.max(1), Ordering::Relaxed);
}

/// The time slice in ticks.
pub fn time_slice() -> u32 {
    TIME_SLICE.load(Ordering::Relaxed)
}

struct Scheduler {
    ready: VecDeque<Arc<Thread>>,
    all: BTreeMap<Tid, Arc<Thread>>,
    current: Option<Arc<Thread>>,
    idle: Option<Arc<Thread>>,
    /// A thread that exited and that the next thread hands to the reaper.
    exited: Option<Arc<Thread>>,
    next_tid: Tid,
    slice_ticks: u32,
    /// Threads that interrupt handlers put at the front of the ready queue since the last
    /// switch: the interrupted thread, if it is preempted for them, goes right behind them.
    woken_ahead: usize,
}

static SCHEDULER: SpinLock<Scheduler> = SpinLock::new(
    "scheduler",
    Scheduler {
        ready: VecDeque::new(),
        all: BTreeMap::new(),
        current: None,
        idle: None,
        exited: None,
        next_tid: 1,
        slice_ticks: 0,
        woken_ahead: 0,
    },
);

/// The running thread, readable without the scheduler lock.
static CURRENT: AtomicPtr<Thread> = AtomicPtr::new(core::ptr::null_mut());
/// Set by the timer handler when the running thread's slice is over, or by a wake-up from an
/// interrupt handler; acted on when the interrupt returns (see [`preempt_on_return`]).
static YIELD_ON_RETURN: AtomicBool = AtomicBool::new(false);
/// Set while [`wake_first`] runs its wake-ups.
static WAKE_FIRST: AtomicBool = AtomicBool::new(false);

/// Ticks spent by the idle thread, by kernel threads or the kernel on behalf of a process,
/// and in user mode (the `Thread:` statistics line).
pub static IDLE_TICKS: AtomicU64 = AtomicU64::new(0);
pub static KERNEL_TICKS: AtomicU64 = AtomicU64::new(0);
pub static USER_TICKS: AtomicU64 = AtomicU64::new(0);

/// Ready-queue slots reserved at boot, so that the queue does not grow (and the leak checks
/// see no heap growth) until this many threads exist.
const READY_QUEUE_RESERVE: usize = 128;

/// Turns the code running since boot into the thread `main` and starts the idle thread and
/// the reaper.
pub fn init() {
    let main = Arc::new(Thread::for_boot_stack("main"));
    {
        let mut sched = SCHEDULER.lock();
        sched.ready.reserve(READY_QUEUE_RESERVE);
        let tid = sched.allocate_tid();
        main.set_tid(tid);
        main.set_status(Status::Running);
        CURRENT.store(Arc::as_ptr(&main) as *mut Thread, Ordering::Release);
        sched.all.insert(tid, main.clone());
        sched.current = Some(main);
    }
    // The idle thread never enters the ready queue: `schedule` falls back to it.
    let idle = Arc::new(Thread::new("idle", Box::new(idle_loop)).expect("no memory for the idle thread"));
    register(&idle, Status::Blocked);
    SCHEDULER.lock().idle = Some(idle);
    let reaper = spawn("reaper", reap_forever);
    REAPER.store(reaper.tid(), Ordering::Relaxed);
}

/// The reaper thread: frees the threads that exited (see `reaper`), whenever woken.
static REAPER: AtomicU32 = AtomicU32::new(0);

fn reap_forever() {
    loop {
        reaper::free_all();
        park();
    }
}

impl Scheduler {
    fn allocate_tid(&mut self) -> Tid {
        let tid = self.next_tid;
        self.next_tid += 1;
        tid
    }
}

fn idle_loop() {
    loop {
        // Block without entering the ready queue; `schedule` falls back to idle whenever
        // nothing else is ready. Then sleep until an interrupt makes something ready.
        {
            let _irq = InterruptsOff::new();
            current_thread().set_status(Status::Blocked);
            schedule();
        }
        cpu::enable_interrupts_and_halt();
    }
}

/// Starts a kernel thread running `body`; it is ready at once.
pub fn spawn<F: FnOnce() + Send + 'static>(name: &str, body: F) -> Arc<Thread> {
    try_spawn(name, body).expect("out of kernel memory for a thread stack")
}

/// Like [`spawn`], but reports failure to allocate a stack instead of panicking.
pub fn try_spawn<F: FnOnce() + Send + 'static>(name: &str, body: F) -> Option<Arc<Thread>> {
    let thread = Arc::new(Thread::new(name, Box::new(body))?);
    register(&thread, Status::Ready);
    Some(thread)
}

fn register(thread: &Arc<Thread>, status: Status) {
    let _irq = InterruptsOff::new();
    let mut sched = SCHEDULER.lock();
    let tid = sched.allocate_tid();
    thread.set_tid(tid);
    sched.all.insert(tid, thread.clone());
    // Reserve room now so that `unblock`, which may run in an interrupt handler, never has
    // to grow the queue.
    let (threads, queued) = (sched.all.len(), sched.ready.len());
    sched.ready.reserve(threads.saturating_sub(queued));
    thread.set_status(status);
    if status == Status::Ready {
        sched.ready.push_back(thread.clone());
    }
}

/// The running thread.
pub fn current_thread() -> &'static Thread {
    let ptr = CURRENT.load(Ordering::Acquire);
    assert!(!ptr.is_null(), "no thread is running yet");
    // SAFETY: the running thread is kept alive by the scheduler's `current` reference for
    // as long as it runs, and a thread only observes itself while running.
    unsafe { &*ptr }
}

/// A counted reference to the running thread.
pub fn current() -> Arc<Thread> {
    let ptr = CURRENT.load(Ordering::Acquire);
    assert!(!ptr.is_null(), "no thread is running yet");
    // SAFETY: `ptr` came from `Arc::as_ptr` of a live Arc (see `current_thread`); taking
    // one more strong count before `from_raw` leaves the existing counts untouched.
    unsafe {
        Arc::increment_strong_count(ptr);
        Arc::from_raw(ptr)
    }
}

/// The running thread's id, or 0 during early boot.
pub fn current_tid() -> Tid {
    let ptr = CURRENT.load(Ordering::Acquire);
    if ptr.is_null() { 0 } else { current_thread().tid() }
}

/// Looks a live thread up by id.
pub fn by_tid(tid: Tid) -> Option<Arc<Thread>> {
    SCHEDULER.lock().all.get(&tid).cloned()
}

/// Number of threads whose memory is not freed yet: those that have not exited (including
/// main, idle and the reaper) and those the reaper has not freed yet.
pub fn live_threads() -> usize {
    SCHEDULER.lock().all.len() + reaper::unfreed()
}

/// Puts the running thread to sleep until [`unblock`]. Interrupts must be off, so that the
/// caller's check of its wake-up condition and the block are one atomic step.
pub fn block_current() {
    assert!(!cpu::interrupts_enabled(), "block_current with interrupts on could lose a wake-up");
    assert!(!cpu::in_external_interrupt(), "an interrupt handler cannot sleep");
    current_thread().set_status(Status::Blocked);
    schedule();
}

/// Makes a blocked thread ready. Safe in interrupt handlers: no allocation, no sleeping.
pub fn unblock(thread: &Arc<Thread>) {
    let mut sched = SCHEDULER.lock();
    if thread.status() == Status::Blocked {
        thread.set_status(Status::Ready);
        sched.ready.push_back(thread.clone());
    }
}

/// Wakes thread `tid` if it is parked in [`park`]; otherwise remembers the wake-up so its
/// next `park` returns at once. This is what a waker does: it names a thread by id and owns
/// no memory, so waking from an interrupt handler never frees anything.
pub fn unpark(tid: Tid) {
    let mut sched = SCHEDULER.lock();
    let Some(thread) = sched.all.get(&tid).cloned() else { return };
    if thread.status() == Status::Blocked && thread.is_parked() {
        thread.set_parked(false);
        thread.set_status(Status::Ready);
        if cpu::in_external_interrupt() || WAKE_FIRST.load(Ordering::Relaxed) {
            // A device finished what this thread waits for (a disk transfer, a timer), or
            // was handed on to it: let it run soon (see `preempt_on_return`). It will soon
            // block again on its next request, while a thread that computes would otherwise
            // keep the disk idle for the rest of its time slice.
            sched.ready.push_front(thread);
            sched.woken_ahead += 1;
            YIELD_ON_RETURN.store(true, Ordering::Relaxed);
        } else {
            sched.ready.push_back(thread);
        }
    } else {
        thread.set_wake_pending(true);
    }
}

/// Runs `wake`, treating the threads it unparks like threads a device interrupt woke: they
/// run before the other ready threads, as soon as the running thread returns to user mode.
/// For handing a device on to the next thread that waits to start a request on it (the IDE
/// channels' [`crate::task::AsyncMutex`]): the disk must not sit idle while its new owner
/// waits behind computing threads, and the owner blocks again once its request is started.
pub fn wake_first(wake: impl FnOnce()) {
    let _irq = InterruptsOff::new();
    WAKE_FIRST.store(true, Ordering::Relaxed);
    wake();
    WAKE_FIRST.store(false, Ordering::Relaxed);
}

/// Sleeps until [`unpark`] names this thread (returns at once if a wake-up is pending).
pub fn park() {
    let _irq = InterruptsOff::new();
    let me = current_thread();
    if me.take_wake_pending() {
        return;
    }
    me.set_parked(true);
    block_current();
}

/// Gives up the CPU; the thread stays ready.
pub fn yield_now() {
    let _irq = InterruptsOff::new();
    let me = current();
    {
        let mut sched = SCHEDULER.lock();
        if !sched.idle.as_ref().is_some_and(|idle| Arc::ptr_eq(idle, &me)) {
            me.set_status(Status::Ready);
            sched.ready.push_back(me);
        }
    }
    schedule();
}

/// Ends the running thread. The reaper frees it once it has switched away for good.
pub fn exit() -> ! {
    let _irq = InterruptsOff::new();
    let me = current_thread();
    {
        let mut sched = SCHEDULER.lock();
        let removed = sched.all.remove(&me.tid());
        sched.exited = removed;
    }
    me.set_status(Status::Exited);
    let joiner = me.joiner();
    if joiner != 0 {
        unpark(joiner);
    }
    schedule();
    unreachable!("an exited thread was scheduled again");
}

/// Waits until `thread` has exited (one joiner per thread).
pub fn join(thread: &Thread) {
    // The joiner is published before the status is read, and `exit` sets the status before
    // it reads the joiner: one of the two always sees the other.
    thread.set_joiner(current_tid());
    while thread.status() != Status::Exited {
        park();
    }
}

/// Called by the timer interrupt on every tick.
pub fn tick(from_user: bool) {
    let mut sched = SCHEDULER.lock();
    let is_idle = match (&sched.idle, &sched.current) {
        (Some(idle), Some(current)) => Arc::ptr_eq(idle, current),
        _ => false,
    };
    let counter = if is_idle {
        &IDLE_TICKS
    } else if from_user {
        &USER_TICKS
    } else {
        &KERNEL_TICKS
    };
    counter.fetch_add(1, Ordering::Relaxed);
    sched.slice_ticks += 1;
    if sched.slice_ticks >= TIME_SLICE.load(Ordering::Relaxed) {
        YIELD_ON_RETURN.store(true, Ordering::Relaxed);
    }
}

/// Called as an interrupt, fault or system call returns to the code it interrupted
/// (`to_user`: user mode). If the timer ended the running thread's slice, the thread goes
/// to the back of the ready queue. If an interrupt only woke threads, they run first, but
/// not in the middle of kernel work: a page fault or system call in progress finishes first
/// and the switch happens as it returns to user mode (or when the thread blocks). The
/// interrupted thread then goes right behind the woken ones and keeps what is left of its
/// slice: it lends the CPU rather than losing its turn.
pub fn preempt_on_return(to_user: bool) {
    if !YIELD_ON_RETURN.load(Ordering::Relaxed) {
        return;
    }
    let _irq = InterruptsOff::new();
    let me = current();
    {
        let mut sched = SCHEDULER.lock();
        let is_idle = sched.idle.as_ref().is_some_and(|idle| Arc::ptr_eq(idle, &me));
        let slice_over = sched.slice_ticks >= TIME_SLICE.load(Ordering::Relaxed);
        if !slice_over && !to_user && !is_idle {
            return;
        }
        YIELD_ON_RETURN.store(false, Ordering::Relaxed);
        let woken_ahead = core::mem::take(&mut sched.woken_ahead);
        if !is_idle {
            me.set_status(Status::Ready);
            if slice_over {
                sched.ready.push_back(me);
            } else {
                me.set_lent_slice(sched.slice_ticks);
                let place = woken_ahead.min(sched.ready.len());
                sched.ready.insert(place, me);
            }
        }
    }
    schedule();
}

/// Switches to the next ready thread (or idle). Interrupts must be off, and the running
/// thread must already have its new status (and be queued, if it is ready).
fn schedule() {
    assert!(!cpu::interrupts_enabled());
    let (save_esp, next_esp) = {
        let mut sched = SCHEDULER.lock();
        let next = match sched.ready.pop_front() {
            Some(next) => next,
            None => sched.idle.clone().expect("scheduler started without an idle thread"),
        };
        let prev = sched.current.take().expect("schedule() before threads::init()");
        prev.check_stack();
        if Arc::ptr_eq(&prev, &next) {
            prev.set_status(Status::Running);
            sched.current = Some(prev);
            return;
        }
        next.set_status(Status::Running);
        CURRENT.store(Arc::as_ptr(&next) as *mut Thread, Ordering::Release);
        let save_esp = prev.saved_esp_slot();
        let next_esp = next.saved_esp();
        sched.current = Some(next);
        // `prev` stays alive: it is in the ready queue, a wait queue, `all`, or `exited`.
        drop(prev);
        (save_esp, next_esp)
    };
    // SAFETY: interrupts are off and the lock is released; `save_esp` points into a thread
    // that outlives this switch, `next_esp` is a stack prepared by `initial_stack` or by an
    // earlier `switch_stacks`.
    unsafe { switch::switch_stacks(save_esp, next_esp) };
    finish_switch();
}

/// The second half of every switch, run by the thread that was switched to: point the CPU
/// at its kernel stack and address space, and hand the thread that exited, if any, to the
/// reaper (its stack is no longer in use now).
fn finish_switch() {
    let exited = {
        let mut sched = SCHEDULER.lock();
        // Whatever asked for a switch has had it.
        YIELD_ON_RETURN.store(false, Ordering::Relaxed);
        sched.woken_ahead = 0;
        sched.slice_ticks = current_thread().take_lent_slice();
        sched.exited.take()
    };
    let me = current_thread();
    gdt::set_kernel_stack(me.stack_top());
    match me.page_directory() {
        Some(directory) => directory.activate(),
        None => paging::activate_kernel(),
    }
    if let Some(exited) = exited {
        reaper::bury(exited);
        unpark(REAPER.load(Ordering::Relaxed));
    }
}

/// First code of every new thread (entered from `thread_trampoline` in `arch::switch`).
#[unsafe(no_mangle)]
extern "C" fn thread_start() -> ! {
    finish_switch();
    cpu::enable_interrupts();
    let body = current_thread().take_body();
    // The body and its captures are freed when it returns; a process's thread then goes on
    // to user mode, from which it never comes back here.
    body();
    if let Some((eip, esp)) = current_thread().take_user_entry() {
        crate::arch::idt::enter_user_mode(eip, esp);
    }
    exit();
}
