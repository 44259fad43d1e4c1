//! The statistics printed at power-off, in the classic format (informational: the checkers
//! only look for `Timer: N ticks`).

use alloc::string::String;
use core::sync::atomic::Ordering;

use crate::devices::{block, input, timer};
use crate::{console, println, threads, vm};

/// `1234567` as `1,234,567`.
pub fn thousands(mut value: u64) -> String {
    let mut groups = alloc::vec::Vec::new();
    loop {
        groups.push(value % 1000);
        value /= 1000;
        if value == 0 {
            break;
        }
    }
    let mut text = alloc::format!("{}", groups.pop().unwrap_or(0));
    while let Some(group) = groups.pop() {
        text.push_str(&alloc::format!(",{group:03}"));
    }
    text
}

pub fn print() {
    println!("Timer: {} ticks", timer::ticks());
    println!(
        "Thread: {} idle ticks, {} kernel ticks, {} user ticks",
        threads::IDLE_TICKS.load(Ordering::Relaxed),
        threads::KERNEL_TICKS.load(Ordering::Relaxed),
        threads::USER_TICKS.load(Ordering::Relaxed)
    );
    for (role, device) in block::with_roles() {
        let (reads, writes) = device.counts();
        println!("{} ({}): {} reads, {} writes", device.name, role.name(), reads, writes);
    }
    println!("Console: {} characters output", console::CHARS_WRITTEN.load(Ordering::Relaxed));
    println!(
        "Kernel heap: {} bytes in use, {} pages claimed",
        crate::memory::heap_bytes_in_use(),
        crate::memory::heap_pages()
    );
    println!(
        "Kernel stacks: deepest use {} of {} bytes",
        threads::DEEPEST_STACK_USE.load(Ordering::Relaxed),
        threads::STACK_BYTES
    );
    println!("Keyboard: {} keys pressed", input::KEYS_PRESSED.load(Ordering::Relaxed));
    println!("Exception: {} page faults", vm::stats::page_faults());
    vm::stats::print_report();
}

/// What the leak checks compare before and after a test.
pub struct Resources {
    values: [(&'static str, u64); 7],
}

impl Resources {
    /// Takes the measurement now.
    pub fn measure() -> Resources {
        Resources {
            values: [
                ("free-frames", crate::memory::user_pool_free() as u64),
                ("free-swap-slots", vm::swap::free_slots() as u64),
                ("kernel-pages-in-use", crate::memory::kernel_pages_outside_heap() as u64),
                ("open-files", crate::fs::open_files() as u64),
                ("heap-bytes", crate::memory::heap_bytes_in_use() as u64),
                ("threads", threads::live_threads() as u64),
                ("processes", crate::userprog::live_processes() as u64),
            ],
        }
    }

    fn print(&self, when: &str) {
        let mut line = alloc::format!("Resources at {when}:");
        for (key, value) in self.values {
            line.push_str(&alloc::format!(" {key}={value}"));
        }
        println!("{line}");
    }
}

/// Prints the `Resources at start:` / `Resources at end:` pair after a run, once every
/// process of the run has ended.
pub fn report_resources(before: &Resources) {
    let threads = before.values.iter().find(|(key, _)| *key == "threads").map_or(0, |(_, n)| *n as usize);
    crate::userprog::wait_for_all_processes(threads);
    before.print("start");
    Resources::measure().print("end");
}
