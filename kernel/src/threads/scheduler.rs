//! The scheduler: one ready queue shared by every CPU, each CPU's running and idle thread,
//! and the ways a thread leaves its CPU (blocking, yielding, being preempted, exiting).
//!
//! One queue rather than one per CPU: with 1 to 8 CPUs and switches that take the lock for
//! a few hundred instructions, the queue's lock is rarely contended, and a shared queue
//! balances the load by itself (whichever CPU is free takes the next thread); per-CPU
//! queues would need stealing to do the same. A CPU with nothing to run halts in its idle
//! thread; a wake-up that finds an idle CPU sends it an interrupt (an IPI) to come and take
//! the thread.
//!
//! The scheduler's lock is held across the switch itself, as in xv6: the thread that
//! switches away takes it, and the thread switched to releases it (`finish_switch`). So no
//! other CPU can pick a thread that is still on its way off a CPU: until the lock is
//! released, its saved stack pointer is not yet written.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, VecDeque};
use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use super::reaper;
use super::thread::{self, Status, Thread, Tid};
use crate::arch::locked_u64::LockedU64;
use crate::arch::percpu::{self, MAX_CPUS};
use crate::arch::{apic, cpu, gdt, paging, switch};
use crate::sync::{InterruptsOff, SpinGuard, SpinLock};

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

/// What the scheduler knows of one CPU.
struct Cpu {
    current: Option<Arc<Thread>>,
    idle: Option<Arc<Thread>>,
    /// A thread that exited here and that the next thread on this CPU hands to the reaper.
    exited: Option<Arc<Thread>>,
    slice_ticks: u32,
    /// Threads that interrupt handlers on this CPU put at the front of the ready queue since
    /// its last switch: the interrupted thread, if it is preempted for them, goes right
    /// behind them.
    woken_ahead: usize,
}

struct Scheduler {
    ready: VecDeque<Arc<Thread>>,
    all: BTreeMap<Tid, Arc<Thread>>,
    next_tid: Tid,
    cpus: [Cpu; MAX_CPUS],
    /// The CPUs that run their idle thread, one bit each.
    idle_cpus: u32,
}

static SCHEDULER: SpinLock<Scheduler> = SpinLock::new(
    "scheduler",
    Scheduler {
        ready: VecDeque::new(),
        all: BTreeMap::new(),
        next_tid: 1,
        cpus: [const { Cpu { current: None, idle: None, exited: None, slice_ticks: 0, woken_ahead: 0 } }; MAX_CPUS],
        idle_cpus: 0,
    },
);

/// Per CPU: set by the timer when the running thread's slice is over, or by a wake-up from
/// an interrupt handler; acted on when the interrupt returns (see [`preempt_on_return`]).
static YIELD_ON_RETURN: [AtomicBool; MAX_CPUS] = [const { AtomicBool::new(false) }; MAX_CPUS];
/// Per CPU: set while [`wake_first`] runs its wake-ups.
static WAKE_FIRST: [AtomicBool; MAX_CPUS] = [const { AtomicBool::new(false) }; MAX_CPUS];

/// Ticks spent by idle threads, by kernel threads or the kernel on behalf of a process,
/// and in user mode, summed over the CPUs (the `Thread:` statistics line).
pub static IDLE_TICKS: LockedU64 = LockedU64::new(0);
pub static KERNEL_TICKS: LockedU64 = LockedU64::new(0);
pub static USER_TICKS: LockedU64 = LockedU64::new(0);

/// Ready-queue slots reserved at boot, so that the queue does not grow (and the leak checks
/// see no heap growth) until this many threads exist.
const READY_QUEUE_RESERVE: usize = 128;

/// The reaper thread: frees the threads that exited (see `reaper`), whenever woken.
static REAPER: AtomicU32 = AtomicU32::new(0);

impl Scheduler {
    fn allocate_tid(&mut self) -> Tid {
        let tid = self.next_tid;
        self.next_tid += 1;
        tid
    }

    fn this_cpu(&mut self) -> &mut Cpu {
        &mut self.cpus[percpu::id()]
    }

    fn is_idle(&self, cpu: usize, thread: &Arc<Thread>) -> bool {
        self.cpus[cpu].idle.as_ref().is_some_and(|idle| Arc::ptr_eq(idle, thread))
    }

    /// Makes `thread` ready if it is blocked; otherwise leaves it a wake-up, so that its next
    /// block returns at once (a thread about to block may be woken on another CPU before it
    /// has blocked). Never allocates: safe in interrupt handlers.
    fn wake(&mut self, thread: Arc<Thread>) {
        if thread.status() != Status::Blocked {
            thread.set_wake_pending(true);
            return;
        }
        thread.set_status(Status::Ready);
        let me = percpu::id();
        if percpu::in_external_interrupt() || WAKE_FIRST[me].load(Ordering::Relaxed) {
            // A device finished what this thread waits for (a disk transfer, a timer), or
            // was handed on to it: let it run soon (see `preempt_on_return`). It will soon
            // block again on its next request, while a thread that computes would otherwise
            // keep the disk idle for the rest of its time slice.
            self.ready.push_front(thread);
            self.cpus[me].woken_ahead += 1;
            YIELD_ON_RETURN[me].store(true, Ordering::Relaxed);
        } else {
            self.ready.push_back(thread);
        }
        // A CPU that idles takes it at once; this one goes on with what it does.
        let others_idle = self.idle_cpus & !(1 << me);
        if others_idle != 0 {
            apic::send_reschedule(others_idle.trailing_zeros() as usize);
        }
    }
}

/// Turns the code running since boot into the thread `main` of the boot CPU and starts its
/// idle thread and the reaper.
pub fn init() {
    let main = Arc::new(Thread::for_stack("main", crate::arch::boot::boot_stack()));
    {
        let mut sched = SCHEDULER.lock();
        sched.ready.reserve(READY_QUEUE_RESERVE);
        let tid = sched.allocate_tid();
        main.set_tid(tid);
        main.set_status(Status::Running);
        percpu::set_current_thread_word(Arc::as_ptr(&main) as usize);
        sched.all.insert(tid, main.clone());
        sched.this_cpu().current = Some(main);
    }
    // The idle thread never enters the ready queue: `schedule` falls back to it.
    let idle = Arc::new(Thread::new("idle", Box::new(idle_loop)).expect("no memory for the idle thread"));
    register(&idle, Status::Blocked);
    SCHEDULER.lock().this_cpu().idle = Some(idle);
    let reaper = spawn("reaper", reap_forever);
    REAPER.store(reaper.tid(), Ordering::Relaxed);
}

/// Turns the code that started an application processor, on the stack `[bottom, top)`,
/// into that CPU's idle thread, and starts scheduling there. Interrupts must be off.
pub fn run_cpu(stack: (usize, usize)) -> ! {
    let idle = Arc::new(Thread::for_stack("idle", stack));
    register(&idle, Status::Running);
    {
        let mut sched = SCHEDULER.lock();
        percpu::set_current_thread_word(Arc::as_ptr(&idle) as usize);
        let cpu = sched.this_cpu();
        cpu.current = Some(idle.clone());
        cpu.idle = Some(idle);
    }
    gdt::set_kernel_stack(stack.1);
    idle_loop();
    unreachable!("the idle loop returned");
}

fn reap_forever() {
    loop {
        reaper::free_all();
        park();
    }
}

fn idle_loop() {
    loop {
        // Leave the CPU to any ready thread; `schedule` falls back to idle when there is
        // none. Then sleep until an interrupt (a device's, the timer's, or a wake-up's IPI)
        // may have made something ready.
        {
            let _irq = InterruptsOff::new();
            let sched = SCHEDULER.lock();
            current_thread().set_status(Status::Blocked);
            schedule(sched);
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
    let mut sched = SCHEDULER.lock();
    let tid = sched.allocate_tid();
    thread.set_tid(tid);
    sched.all.insert(tid, thread.clone());
    // Reserve room now so that a wake-up, which may run in an interrupt handler, never has
    // to grow the queue.
    let (threads, queued) = (sched.all.len(), sched.ready.len());
    sched.ready.reserve(threads.saturating_sub(queued));
    if status == Status::Ready {
        thread.set_status(Status::Blocked);
        sched.wake(thread.clone());
    } else {
        thread.set_status(status);
    }
}

/// The running thread.
pub fn current_thread() -> &'static Thread {
    let ptr = percpu::current_thread_word() as *const Thread;
    assert!(!ptr.is_null(), "no thread is running yet");
    // SAFETY: the running thread is kept alive by its CPU's `current` reference for as long
    // as it runs, and a thread only observes itself while running.
    unsafe { &*ptr }
}

/// A counted reference to the running thread.
pub fn current() -> Arc<Thread> {
    let ptr = current_thread() as *const Thread;
    // SAFETY: `ptr` came from `Arc::as_ptr` of a live Arc (see `current_thread`); taking
    // one more strong count before `from_raw` leaves the existing counts untouched.
    unsafe {
        Arc::increment_strong_count(ptr);
        Arc::from_raw(ptr)
    }
}

/// The running thread's id, or 0 during early boot.
pub fn current_tid() -> Tid {
    if percpu::current_thread_word() == 0 { 0 } else { current_thread().tid() }
}

/// Looks a live thread up by id.
pub fn by_tid(tid: Tid) -> Option<Arc<Thread>> {
    SCHEDULER.lock().all.get(&tid).cloned()
}

/// Number of threads whose memory is not freed yet: those that have not exited (including
/// main, the idle threads and the reaper) and those the reaper has not freed yet.
pub fn live_threads() -> usize {
    SCHEDULER.lock().all.len() + reaper::unfreed()
}

/// Puts the running thread to sleep until [`unblock`] or [`unpark`] names it; returns at once
/// if one already did since its last sleep. Callers check their own condition again after
/// it returns: a wake-up may have been meant for an earlier sleep.
pub fn block_current() {
    // Restores the caller's interrupt state once this thread runs again (the lock's own
    // guard is handed over in the switch).
    let _irq = InterruptsOff::new();
    assert!(!percpu::in_external_interrupt(), "an interrupt handler cannot sleep");
    let sched = SCHEDULER.lock();
    let me = current_thread();
    if me.take_wake_pending() {
        return;
    }
    me.set_status(Status::Blocked);
    schedule(sched);
}

/// Wakes `thread` (see [`block_current`]). Safe in interrupt handlers: no allocation, no
/// sleeping, nothing freed.
pub fn unblock(thread: &Arc<Thread>) {
    SCHEDULER.lock().wake(thread.clone());
}

/// Wakes thread `tid`, if it still exists. This is what a waker does: it names a thread by
/// id and owns no memory, so waking from an interrupt handler never frees anything.
pub fn unpark(tid: Tid) {
    let mut sched = SCHEDULER.lock();
    if let Some(thread) = sched.all.get(&tid).cloned() {
        sched.wake(thread);
    }
}

/// Runs `wake`, treating the threads it wakes like threads a device interrupt woke: they
/// run before the other ready threads, as soon as the running thread returns to user mode.
/// For handing a device on to the next thread that waits to start a request on it (the IDE
/// channels' [`crate::task::AsyncMutex`]): the disk must not sit idle while its new owner
/// waits behind computing threads, and the owner blocks again once its request is started.
pub fn wake_first<R>(wake: impl FnOnce() -> R) -> R {
    let _irq = InterruptsOff::new();
    let me = percpu::id();
    WAKE_FIRST[me].store(true, Ordering::Relaxed);
    let result = wake();
    WAKE_FIRST[me].store(false, Ordering::Relaxed);
    result
}

/// Sleeps until [`unpark`] names this thread (returns at once if a wake-up is pending).
pub fn park() {
    block_current();
}

/// Gives up the CPU; the thread stays ready.
pub fn yield_now() {
    let _irq = InterruptsOff::new();
    let mut sched = SCHEDULER.lock();
    let me = current();
    if !sched.is_idle(percpu::id(), &me) {
        me.set_status(Status::Ready);
        sched.ready.push_back(me);
    }
    schedule(sched);
}

/// Ends the running thread. The reaper frees it once it has switched away for good.
pub fn exit() -> ! {
    let _irq = InterruptsOff::new();
    let mut sched = SCHEDULER.lock();
    let me = current_thread();
    let removed = sched.all.remove(&me.tid());
    reaper::dying();
    sched.this_cpu().exited = removed;
    me.set_status(Status::Exited);
    let joiner = me.joiner();
    if let Some(joiner) = sched.all.get(&joiner).cloned() {
        sched.wake(joiner);
    }
    schedule(sched);
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

/// Called by each CPU's timer interrupt on every tick.
pub fn tick(from_user: bool) {
    let mut sched = SCHEDULER.lock();
    let me = percpu::id();
    let is_idle = sched.cpus[me].current.as_ref().is_some_and(|current| sched.is_idle(me, current));
    let counter = if is_idle {
        &IDLE_TICKS
    } else if from_user {
        &USER_TICKS
    } else {
        &KERNEL_TICKS
    };
    counter.fetch_add(1);
    let cpu = &mut sched.cpus[me];
    cpu.slice_ticks += 1;
    if cpu.slice_ticks >= TIME_SLICE.load(Ordering::Relaxed) {
        YIELD_ON_RETURN[me].store(true, Ordering::Relaxed);
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
    let _irq = InterruptsOff::new();
    let cpu = percpu::id();
    if !YIELD_ON_RETURN[cpu].load(Ordering::Relaxed) {
        return;
    }
    let mut sched = SCHEDULER.lock();
    let me = current();
    let is_idle = sched.is_idle(cpu, &me);
    let slice_ticks = sched.cpus[cpu].slice_ticks;
    let slice_over = slice_ticks >= TIME_SLICE.load(Ordering::Relaxed);
    if !slice_over && !to_user && !is_idle {
        return;
    }
    YIELD_ON_RETURN[cpu].store(false, Ordering::Relaxed);
    let woken_ahead = core::mem::take(&mut sched.cpus[cpu].woken_ahead);
    if is_idle {
        // Leaves the CPU to what was woken, to be chosen again when nothing is ready.
        me.set_status(Status::Blocked);
    } else {
        me.set_status(Status::Ready);
        if slice_over {
            sched.ready.push_back(me);
        } else {
            me.set_lent_slice(slice_ticks);
            let place = woken_ahead.min(sched.ready.len());
            sched.ready.insert(place, me);
        }
    }
    schedule(sched);
}

/// Switches this CPU to the next ready thread (or its idle thread), holding the scheduler's
/// lock across the switch; the thread switched to releases it. The running thread must
/// already have its new status (and be queued, if it is ready).
fn schedule(mut sched: SpinGuard<'_, Scheduler>) {
    assert!(!cpu::interrupts_enabled());
    let me = percpu::id();
    let next = match sched.ready.pop_front() {
        Some(next) => next,
        None => sched.cpus[me].idle.clone().expect("scheduler started without an idle thread"),
    };
    let prev = sched.cpus[me].current.take().expect("schedule() before threads::init()");
    prev.check_stack();
    if sched.is_idle(me, &next) {
        sched.idle_cpus |= 1 << me;
    } else {
        sched.idle_cpus &= !(1 << me);
    }
    if Arc::ptr_eq(&prev, &next) {
        prev.set_status(Status::Running);
        sched.cpus[me].current = Some(prev);
        return;
    }
    next.set_status(Status::Running);
    percpu::set_current_thread_word(Arc::as_ptr(&next) as usize);
    let save_esp = prev.saved_esp_slot();
    let next_esp = next.saved_esp();
    sched.cpus[me].current = Some(next);
    // `prev` stays alive: it is in the ready queue, a wait queue, `all`, or `exited`.
    drop(prev);
    sched.hand_over();
    // SAFETY: interrupts are off and this CPU holds the scheduler's lock, which keeps every
    // other CPU from running `prev` until its stack pointer is saved; `save_esp` points
    // into a thread that outlives this switch, `next_esp` is a stack prepared by
    // `initial_stack` or by an earlier `switch_stacks`.
    unsafe { switch::switch_stacks(save_esp, next_esp) };
    finish_switch();
}

/// The second half of every switch, run by the thread that was switched to: point the CPU
/// at the thread's kernel stack and address space, release the scheduler's lock, and hand
/// the thread that exited here, if any, to the reaper (its stack is no longer in use now).
///
/// The address space changes before the lock is released: from then on another CPU may run
/// the thread that left this one, and must find this CPU no longer using its directory (no
/// translation of it cached here, no TLB shootdown owed here, and the directory free to go
/// once that thread exits).
fn finish_switch() {
    let me = current_thread();
    gdt::set_kernel_stack(me.stack_top());
    match me.page_directory() {
        Some(directory) => directory.activate(),
        None => paging::activate_kernel(),
    }
    // SAFETY: `schedule`, on this CPU, handed the lock over to us.
    unsafe { SCHEDULER.unlock_handed_over() };
    let exited = {
        let mut sched = SCHEDULER.lock();
        let cpu = percpu::id();
        // Whatever asked for a switch has had it.
        YIELD_ON_RETURN[cpu].store(false, Ordering::Relaxed);
        let cpu = &mut sched.cpus[cpu];
        cpu.woken_ahead = 0;
        cpu.slice_ticks = me.take_lent_slice();
        cpu.exited.take()
    };
    if let Some(exited) = exited {
        reaper::bury(exited);
        unpark(REAPER.load(Ordering::Relaxed));
    }
}

/// First code of every new thread (entered from `thread_trampoline` in `arch::switch`).
#[unsafe(no_mangle)]
extern "C" fn thread_start() -> ! {
    finish_switch();
    crate::sync::off_time::ending();
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
