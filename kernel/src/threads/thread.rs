//! One kernel thread.

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, Ordering};

use conquer_once::spin::OnceCell;

use crate::arch::paging::PageDirectory;
use crate::memory::{self, PAGE_SIZE};
use crate::sync::{InterruptsOff, SpinLock};

pub type Tid = u32;

/// Pages of every thread's kernel stack.
pub const STACK_PAGES: usize = 2;
/// Fresh stacks are filled with this byte, so the deepest use can be measured at exit.
const STACK_FILL: u8 = 0xA5;

/// The most kernel stack any thread has used (bytes), measured when threads are freed.
pub static DEEPEST_STACK_USE: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);
/// Written at the lowest word of every stack; if it changes, the stack overflowed.
const STACK_CANARY: u32 = 0xCD6A_BF4B;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Status {
    Running,
    Ready,
    Blocked,
    Exited,
}

enum Stack {
    /// A stack the thread was started on before the scheduler ran; it is never freed.
    Boot { bottom: usize, top: usize },
    /// Pages from the kernel pool, freed with the thread.
    Pages { bottom: usize },
}

pub struct Thread {
    tid: AtomicU32,
    name: [u8; 16],
    name_len: usize,
    stack: Stack,
    /// The stack pointer while the thread is switched out; touched only by `schedule` with
    /// interrupts off.
    saved_esp: UnsafeCell<usize>,
    status: AtomicU8,
    /// A wake-up that came while the thread was not blocked: its next block returns at once.
    wake_pending: AtomicBool,
    /// Ticks of its slice used when an interrupt's wake-up preempted it: it resumes with
    /// the rest of the slice, not a new one.
    lent_slice: AtomicU32,
    body: SpinLock<Option<Box<dyn FnOnce() + Send>>>,
    /// The thread waiting in `join` for this one to exit (0: none).
    joiner: AtomicU32,
    /// The page directory of the process this thread runs, if it runs one: what the context
    /// switch loads. The process itself is `userprog`'s business (it finds it by tid).
    page_directory: OnceCell<Arc<PageDirectory>>,
    /// Where the thread enters user mode once its kernel body returns.
    user_entry: SpinLock<Option<(u32, u32)>>,
    /// The next exited thread waiting for the reaper (an intrusive list: handing a thread to
    /// the reaper must not allocate, since the context switch does it).
    pub(super) next_dead: SpinLock<Option<Arc<Thread>>>,
}

// SAFETY: `saved_esp` is only accessed by the scheduler under its lock, which it holds across
// the switch that writes it; every other field is atomic or locked.
unsafe impl Sync for Thread {}
unsafe impl Send for Thread {}

impl Thread {
    fn named(name: &str, stack: Stack, body: Option<Box<dyn FnOnce() + Send>>) -> Thread {
        let mut buffer = [0u8; 16];
        let name_len = name.len().min(buffer.len());
        buffer[..name_len].copy_from_slice(&name.as_bytes()[..name_len]);
        let bottom = match stack {
            Stack::Boot { bottom, .. } | Stack::Pages { bottom } => bottom,
        };
        // SAFETY: `bottom` is the lowest word of a stack this thread owns.
        unsafe { (bottom as *mut u32).write(STACK_CANARY) };
        Thread {
            tid: AtomicU32::new(0),
            name: buffer,
            name_len,
            stack,
            saved_esp: UnsafeCell::new(0),
            status: AtomicU8::new(Status::Blocked as u8),
            wake_pending: AtomicBool::new(false),
            lent_slice: AtomicU32::new(0),
            body: SpinLock::new("thread body", body),
            joiner: AtomicU32::new(0),
            page_directory: OnceCell::uninit(),
            user_entry: SpinLock::new("user entry", None),
            next_dead: SpinLock::new("dead threads", None),
        }
    }

    /// A new thread with a fresh stack that will run `body`; `None` without kernel memory.
    pub(super) fn new(name: &str, body: Box<dyn FnOnce() + Send>) -> Option<Thread> {
        let bottom = memory::allocate_kernel_pages(STACK_PAGES)?;
        // SAFETY: the pages were just allocated for this stack.
        unsafe { core::ptr::write_bytes(bottom as *mut u8, STACK_FILL, STACK_PAGES * PAGE_SIZE) };
        let thread = Thread::named(name, Stack::Pages { bottom }, Some(body));
        // SAFETY: nobody else knows this thread yet.
        unsafe { *thread.saved_esp.get() = crate::arch::switch::initial_stack(thread.stack_top()) };
        Some(thread)
    }

    /// The thread that is already running on `[bottom, top)`, a stack set up before the
    /// scheduler (the boot CPU's, or an application processor's), which is never freed.
    pub(super) fn for_stack(name: &str, (bottom, top): (usize, usize)) -> Thread {
        Thread::named(name, Stack::Boot { bottom, top }, None)
    }

    pub fn tid(&self) -> Tid {
        self.tid.load(Ordering::Relaxed)
    }

    pub(super) fn set_tid(&self, tid: Tid) {
        self.tid.store(tid, Ordering::Relaxed);
    }

    pub fn name(&self) -> &str {
        core::str::from_utf8(&self.name[..self.name_len]).unwrap_or("?")
    }

    pub fn status(&self) -> Status {
        match self.status.load(Ordering::Acquire) {
            0 => Status::Running,
            1 => Status::Ready,
            2 => Status::Blocked,
            _ => Status::Exited,
        }
    }

    pub(super) fn set_status(&self, status: Status) {
        self.status.store(status as u8, Ordering::Release);
    }

    pub(super) fn set_wake_pending(&self, pending: bool) {
        self.wake_pending.store(pending, Ordering::Relaxed);
    }

    pub(super) fn take_wake_pending(&self) -> bool {
        self.wake_pending.swap(false, Ordering::Relaxed)
    }

    pub(super) fn set_lent_slice(&self, ticks: u32) {
        self.lent_slice.store(ticks, Ordering::Relaxed);
    }

    pub(super) fn take_lent_slice(&self) -> u32 {
        self.lent_slice.swap(0, Ordering::Relaxed)
    }

    pub(super) fn take_body(&self) -> Box<dyn FnOnce() + Send> {
        self.body.lock().take().expect("thread body already taken")
    }

    /// The lowest address of the thread's kernel stack.
    pub fn stack_bottom(&self) -> usize {
        match self.stack {
            Stack::Boot { bottom, .. } | Stack::Pages { bottom } => bottom,
        }
    }

    /// The highest address of the thread's kernel stack (where `esp0` points).
    pub fn stack_top(&self) -> usize {
        match self.stack {
            Stack::Boot { top, .. } => top,
            Stack::Pages { bottom } => bottom + STACK_PAGES * PAGE_SIZE,
        }
    }

    pub(super) fn saved_esp_slot(&self) -> *mut usize {
        self.saved_esp.get()
    }

    pub(super) fn saved_esp(&self) -> usize {
        // SAFETY: read by the scheduler with interrupts off while the thread is switched out.
        unsafe { *self.saved_esp.get() }
    }

    /// Stops the kernel if the thread's stack overflowed into its canary.
    pub(super) fn check_stack(&self) {
        let bottom = match self.stack {
            Stack::Boot { bottom, .. } | Stack::Pages { bottom } => bottom,
        };
        // SAFETY: the canary word is part of the thread's own stack allocation.
        let canary = unsafe { (bottom as *const u32).read_volatile() };
        assert!(canary == STACK_CANARY, "kernel stack overflow in thread '{}'", self.name());
    }

    pub(super) fn set_joiner(&self, tid: u32) {
        self.joiner.store(tid, Ordering::SeqCst);
    }

    pub(super) fn joiner(&self) -> u32 {
        self.joiner.load(Ordering::SeqCst)
    }

    /// Gives the thread the page directory of the process it runs. Set once, when the
    /// process starts; it lives as long as the thread.
    pub fn set_page_directory(&self, directory: Arc<PageDirectory>) {
        // A timer interrupt in the middle of the initialisation would switch threads, and the
        // switch reads this cell to pick the address space: with interrupts off the cell is
        // never seen half-set.
        let _irq = InterruptsOff::new();
        self.page_directory.try_init_once(|| directory).expect("thread already runs a process");
    }

    /// The page directory the thread runs on, if it runs a process.
    pub fn page_directory(&self) -> Option<&Arc<PageDirectory>> {
        // `try_get`, not `get`: `get` spins while another context initialises the cell, and
        // the context switch that calls this must never spin.
        self.page_directory.try_get().ok()
    }

    /// Makes the thread enter user mode at `eip` with stack `esp` when its body returns.
    pub fn set_user_entry(&self, eip: u32, esp: u32) {
        *self.user_entry.lock() = Some((eip, esp));
    }

    pub(super) fn take_user_entry(&self) -> Option<(u32, u32)> {
        self.user_entry.lock().take()
    }
}

impl Drop for Thread {
    fn drop(&mut self) {
        if let Stack::Pages { bottom } = self.stack {
            // SAFETY: the stack is ours until freed below; the thread no longer runs on it.
            let stack = unsafe { core::slice::from_raw_parts(bottom as *const u8, STACK_PAGES * PAGE_SIZE) };
            let untouched = stack.iter().skip(4).take_while(|&&byte| byte == STACK_FILL).count() + 4;
            DEEPEST_STACK_USE.fetch_max(stack.len() - untouched, Ordering::Relaxed);
            memory::free_kernel_pages(bottom, STACK_PAGES);
        }
    }
}
