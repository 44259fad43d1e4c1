//! Leak accounting: with `-q` every `run` action measures what the kernel holds before the
//! program starts and after every process of the run has ended, and prints both as
//! `Resources at start:` / `Resources at end:` lines, which the test checker compares. So
//! every test is also a leak test.

use alloc::string::String;
use core::fmt::Write;

use crate::{fs, memory, println, threads, userprog, vm};

/// What the leak checks compare before and after a test.
pub struct Resources {
    values: [(&'static str, u64); 7],
}

impl Resources {
    /// Takes the measurement now.
    pub fn measure() -> Resources {
        Resources {
            values: [
                ("free-frames", memory::user_pool_free() as u64),
                ("free-swap-slots", vm::swap::free_slots() as u64),
                ("kernel-pages-in-use", memory::kernel_pages_outside_heap() as u64),
                ("open-files", fs::open_files() as u64),
                ("heap-bytes", memory::heap_bytes_in_use() as u64),
                ("threads", threads::live_threads() as u64),
                ("processes", userprog::live_processes() as u64),
            ],
        }
    }

    fn value(&self, key: &str) -> u64 {
        self.values.iter().find(|(name, _)| *name == key).map_or(0, |(_, value)| *value)
    }

    fn print(&self, when: &str) {
        let mut line = String::from("Resources at ");
        let _ = write!(line, "{when}:");
        for (key, value) in self.values {
            let _ = write!(line, " {key}={value}");
        }
        println!("{line}");
    }
}

/// Runs `action` (a `run` or `ktest` action), waits for every process it started and every
/// thread it left to be freed, and prints the pair of resource lines.
pub fn measured(action: impl FnOnce()) {
    let before = Resources::measure();
    action();
    userprog::wait_for_all_processes(before.value("threads") as usize);
    before.print("start");
    Resources::measure().print("end");
}
