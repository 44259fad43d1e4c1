//! Helpers around Rintos' own statistics calls (`vm_stats`, `file_frames`, in the runtime).
use rintos_user::abi::VmStats;
pub use rintos_user::syscall::{file_frames, vm_stats};

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
