//! Virtual memory (placeholder).
pub mod stats;
pub mod swap;

use crate::arch::idt::InterruptFrame;

pub fn init(_options: &rintos_bootargs::Options) {}

pub fn page_fault(frame: &mut InterruptFrame) {
    let address = crate::arch::cpu::cr2();
    stats::count_fault();
    if frame.from_user() {
        crate::userprog::exit(-1);
    }
    panic!("kernel page fault at {address:#x}, eip={:#x}", frame.eip);
}
