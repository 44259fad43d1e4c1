//! User processes: creation (`exec`), the ELF loader, system calls, waiting and exit.
//!
//! A process is one kernel thread plus a [`Process`]: its address space, open files,
//! mappings, executable and children. Its pid is its thread's id, and the process table maps
//! pids to processes: that is how a system call or a fault finds the process it serves (the
//! thread itself only carries the page directory the context switch needs). A parent and
//! each child share a [`ChildRecord`], the only thing that outlives whichever of them exits
//! first.

mod fd;
mod loader;
pub mod syscall;

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};

use rintos_abi::ProcessInfo;

use crate::fs::File;
use crate::sync::SpinLock;
use conquer_once::spin::OnceCell;

use crate::threads::{self, Condvar, Mutex, Semaphore, Thread, Tid};
use crate::vm::mmap::Mapping;
use crate::vm::page::AddressSpace;
use crate::{println, vm};

pub type Pid = Tid;

/// What a parent knows about a child, shared by both.
pub struct ChildRecord {
    /// Upped once the child's load has succeeded or failed.
    loaded: Semaphore,
    load_succeeded: AtomicBool,
    /// Upped when the child exits.
    exited: Semaphore,
    exit_status: AtomicI32,
    /// The child's thread, until the reaper frees it.
    thread: OnceCell<Weak<Thread>>,
}

/// A running user program.
pub struct Process {
    name: String,
    space: Arc<AddressSpace>,
    files: Mutex<fd::FdTable>,
    mappings: Mutex<MappingTable>,
    /// Kept open (and write-denied) while the process runs.
    executable: Mutex<Option<File>>,
    children: Mutex<Vec<(Pid, Arc<ChildRecord>)>>,
    record: Arc<ChildRecord>,
}

#[derive(Default)]
struct MappingTable {
    next_id: i32,
    mappings: Vec<Mapping>,
}

/// Every process that runs, by pid: from the moment its thread starts it until it exits.
static PROCESSES: SpinLock<BTreeMap<Pid, Arc<Process>>> = SpinLock::new("process table", BTreeMap::new());

/// Processes that have not finished exiting.
static LIVE: Mutex<usize> = Mutex::new("live processes", 0);
static ALL_GONE: Condvar = Condvar::new();
static LIVE_COUNT: AtomicUsize = AtomicUsize::new(0);

impl Process {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn space(&self) -> &Arc<AddressSpace> {
        &self.space
    }
}

/// Takes process `pid` out of the table. An empty table gives its memory back, so that the
/// leak checks, which compare heap bytes before and after a run, see none kept.
fn forget(pid: Pid) {
    let mut processes = PROCESSES.lock();
    processes.remove(&pid);
    if processes.is_empty() {
        *processes = BTreeMap::new();
    }
}

/// The process the running thread runs, if it runs one.
pub fn current_process() -> Option<Arc<Process>> {
    PROCESSES.lock().get(&threads::current_tid()).cloned()
}

/// The process the running thread belongs to (a system call's).
pub fn current() -> Arc<Process> {
    current_process().expect("a system call from a thread without a process")
}

/// Every process in the table, in pid order, with its name and pages (the `process_list`
/// call). The table's lock is held only to copy it: counting a process's pages takes its
/// page table's lock and each page's.
pub fn process_list() -> Vec<ProcessInfo> {
    let processes: Vec<(Pid, Arc<Process>)> =
        PROCESSES.lock().iter().map(|(pid, process)| (*pid, process.clone())).collect();
    processes
        .iter()
        .map(|(pid, process)| {
            let (resident, swapped) = process.space.resident_and_swapped();
            ProcessInfo::new(*pid, &process.name, resident as u32, swapped as u32)
        })
        .collect()
}

/// Processes that have not finished exiting.
pub fn live_processes() -> usize {
    LIVE_COUNT.load(Ordering::Relaxed)
}

fn process_started() {
    *LIVE.lock() += 1;
    LIVE_COUNT.fetch_add(1, Ordering::Relaxed);
}

fn process_finished() {
    let mut live = LIVE.lock();
    *live -= 1;
    LIVE_COUNT.fetch_sub(1, Ordering::Relaxed);
    if *live == 0 {
        ALL_GONE.notify_all();
    }
}

/// Waits until every process has exited and its thread is gone (before a leak check):
/// until no process is live and only `threads` threads remain.
pub fn wait_for_all_processes(threads: usize) {
    let mut live = LIVE.lock();
    while *live > 0 {
        live = ALL_GONE.wait(live);
    }
    drop(live);
    // A process is finished a moment before its thread switches away for good.
    while threads::live_threads() > threads {
        crate::devices::timer::sleep(1);
    }
}

/// Starts `command_line` as a new process and waits until it has loaded. Returns its pid
/// and record, or `None` if it could not be started or loaded.
pub fn execute(command_line: &str) -> Option<(Pid, Arc<ChildRecord>)> {
    let words: Vec<String> = command_line.split(' ').filter(|w| !w.is_empty()).map(String::from).collect();
    let name = words.first()?.clone();
    let record = Arc::new(ChildRecord {
        loaded: Semaphore::new(0),
        load_succeeded: AtomicBool::new(false),
        exited: Semaphore::new(0),
        exit_status: AtomicI32::new(-1),
        thread: OnceCell::uninit(),
    });
    let thread = {
        let record = record.clone();
        threads::try_spawn(&name, move || start_process(words, record))?
    };
    record.thread.init_once(|| Arc::downgrade(&thread));
    // The parent waits for its child's load, which may need frames.
    if let Some(parent) = current_process() {
        vm::step_aside(&parent.space);
    }
    record.loaded.down();
    record.load_succeeded.load(Ordering::Acquire).then(|| (thread.tid(), record))
}

/// The first code of a new process's thread: build the process and load it. On success the
/// thread enters user mode when this returns (see `threads::set_user_entry`); everything
/// here is dropped first, since user mode never comes back.
fn start_process(words: Vec<String>, record: Arc<ChildRecord>) {
    process_started();
    let Some(space) = AddressSpace::new() else {
        record.loaded.up();
        process_finished();
        return;
    };
    let process = Arc::new(Process {
        name: words[0].clone(),
        space,
        files: Mutex::new("file descriptors", fd::FdTable::default()),
        mappings: Mutex::new("mappings", MappingTable::default()),
        executable: Mutex::new("executable", None),
        children: Mutex::new("children", Vec::new()),
        record: record.clone(),
    });
    let me = threads::current_thread();
    me.set_page_directory(process.space.directory.clone());
    PROCESSES.lock().insert(me.tid(), process.clone());
    process.space.directory.activate();
    match loader::load(&process, &words) {
        Ok((entry, esp)) => {
            record.load_succeeded.store(true, Ordering::Release);
            record.loaded.up();
            threads::current_thread().set_user_entry(entry, esp);
        }
        Err(_) => {
            release_resources(&process);
            forget(me.tid());
            record.loaded.up();
            process_finished();
        }
    }
}

/// Frees everything a process holds except its record.
fn release_resources(process: &Arc<Process>) {
    process.files.lock().close_all();
    let mappings = core::mem::take(&mut process.mappings.lock().mappings);
    for mapping in mappings {
        crate::task::block_on(vm::mmap::unmap(&process.space, mapping));
    }
    vm::destroy(&process.space);
    process.executable.lock().take();
    process.children.lock().clear();
}

/// Ends the running process with `status`: prints the classic termination message, frees
/// its resources and tells its parent.
pub fn exit(status: i32) -> ! {
    let process = current();
    println!("{}: exit({})", process.name, status);
    release_resources(&process);
    forget(threads::current_tid());
    process.record.exit_status.store(status, Ordering::Release);
    process.record.exited.up();
    drop(process);
    process_finished();
    threads::exit()
}

/// Waits for child `pid` to exit and returns its status; -1 if `pid` is not a child that
/// has not been waited for.
pub fn wait(pid: Pid) -> i32 {
    let process = current();
    let child = {
        let mut children = process.children.lock();
        let Some(index) = children.iter().position(|(child, _)| *child == pid) else { return -1 };
        children.swap_remove(index).1
    };
    vm::step_aside(&process.space);
    child.exited.down();
    // The child's thread switches away for good a moment after it says it exited, and the
    // reaper frees its stack and page directory after that. A parent that went on at once
    // could start its next child while they are still in use, and run out of kernel memory
    // one process earlier on one run than on another (multi-oom on two CPUs).
    if let Some(thread) = child.thread.get() {
        while thread.strong_count() > 0 {
            threads::yield_now();
        }
    }
    child.exit_status.load(Ordering::Acquire)
}

/// The kernel's `run` action: starts a process and waits for it.
pub fn run(command_line: &str) {
    println!("Executing '{command_line}':");
    match execute(command_line) {
        Some((_, child)) => child.exited.down(),
        None => println!("run: cannot execute '{command_line}'"),
    }
    println!("Execution of '{command_line}' complete.");
}
