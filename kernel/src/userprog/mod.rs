//! User processes (placeholder until the loader lands).
pub mod syscall;

use crate::arch::idt::InterruptFrame;
use crate::arch::paging;
use crate::threads::{self, Thread};

pub struct Process;

impl Process {
    fn activate(&self) {}
}

/// Points the MMU at the address space of `thread`'s process (or the kernel's).
pub fn activate_address_space(thread: &Thread) {
    match thread.process() {
        Some(process) => process.activate(),
        None => paging::activate_kernel(),
    }
}

pub fn report_user_fault(_frame: &InterruptFrame, _fault_address: Option<usize>) {}

pub fn exit(_status: i32) -> ! {
    threads::exit()
}

pub fn run(command: &str) {
    crate::println!("run: cannot run '{command}' yet");
}

pub fn live_processes() -> usize {
    0
}

pub fn wait_for_all_processes() {}
