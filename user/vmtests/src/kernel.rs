//! Rintos' own system calls for tests (`rintos_abi::nr::VM_STATS`, `FILE_FRAMES`): the
//! kernel's virtual-memory counters. They are global, not per process: a test reads them
//! before and after what it measures and must account for whatever else runs meanwhile.
use core::arch::asm;

use rintos_user::abi::{VmStats, nr};

/// A system call with two arguments, made like every other (abi §1.4): arguments pushed
/// right to left, then the number, `int $0x30`; the result comes back in `eax`.
fn syscall2(number: u32, arg0: u32, arg1: u32) -> u32 {
    let result;
    // SAFETY: the kernel preserves every register but eax and pops nothing; it writes to
    // our memory only where the arguments say (VM_STATS: `arg1` bytes at `arg0`).
    unsafe {
        asm!("push {arg1}", "push {arg0}", "push {number}", "int 0x30", "add esp, 12",
             number = in(reg) number, arg0 = in(reg) arg0, arg1 = in(reg) arg1,
             lateout("eax") result);
    }
    result
}

/// The kernel's virtual-memory counters now.
pub fn vm_stats() -> VmStats {
    let mut words = [0u64; VmStats::FIELDS];
    let size = core::mem::size_of_val(&words);
    let copied =
        (syscall2(nr::VM_STATS, words.as_mut_ptr() as u32, size as u32) as usize).min(size);
    // The kernel copies little-endian u64s, which is how an i386 stores them.
    VmStats::from_array(&words[..copied / 8])
}

/// How many frames hold pages of the file open as `fd` (its shared read-only executable
/// pages); -1 for a bad descriptor.
pub fn file_frames(fd: i32) -> i32 {
    // FILE_FRAMES takes one argument; the second push is ignored.
    syscall2(nr::FILE_FRAMES, fd as u32, 0) as i32
}

/// Pages moved to or from swap so far.
pub fn swap_traffic(stats: &VmStats) -> u64 {
    stats.swap_outs + stats.swap_ins
}

/// Waits, computing, until the kernel moves a page to or from swap (some process is
/// swapping); fails the test if that has not happened after many looks.
pub fn wait_for_swapping() {
    const MAX_LOOKS: u32 = 20_000_000;
    let start = swap_traffic(&vm_stats());
    if !(0..MAX_LOOKS).any(|_| swap_traffic(&vm_stats()) > start) {
        rintos_user::fail!("no page moved to or from swap");
    }
}
