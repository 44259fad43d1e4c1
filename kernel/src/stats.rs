//! The statistics printed at power-off, in the classic format (informational: the checkers
//! only look for `Timer: N ticks`), and power-off itself, which prints them first.

use core::sync::atomic::Ordering;

use crate::devices::{block, input, shutdown, timer};
use crate::{console, println, threads, vm};

/// Prints the statistics and turns the machine off (`-q` after the last action, the `halt`
/// system call).
pub fn power_off() -> ! {
    print();
    println!("Powering off...");
    console::flush();
    shutdown::power_off()
}

fn print() {
    println!("Timer: {} ticks", timer::ticks());
    println!(
        "Thread: {} idle ticks, {} kernel ticks, {} user ticks",
        threads::IDLE_TICKS.load(),
        threads::KERNEL_TICKS.load(),
        threads::USER_TICKS.load()
    );
    for (role, device) in block::with_roles() {
        let (reads, writes) = device.counts();
        println!("{} ({}): {} reads, {} writes", device.name, role.name(), reads, writes);
    }
    println!("Console: {} characters output", console::CHARS_WRITTEN.load());
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
    println!("Keyboard: {} keys pressed", input::KEYS_PRESSED.load());
    println!("Exception: {} page faults", vm::stats::page_faults());
    if let Some((cycles, begun_at)) = crate::sync::off_time::longest() {
        println!("Interrupts off: longest {} us, begun at:", timer::tsc_to_ns(cycles) / 1000);
        let mut stack = alloc::string::String::from("Call stack:");
        begun_at.for_each(|address| stack.push_str(&alloc::format!(" {address:#x}")));
        println!("{stack} .");
    }
    vm::stats::print_report();
}
