//! Helper of vm-async: computes while another process swaps. Waits until the kernel moves a
//! page to or from swap, then computes (no memory beyond a few registers, so no faults)
//! until the kernel has moved 512 more pages to or from swap, looking at the kernel's
//! counters after each round of computing. Exits 0 if some look found a fault's disk I/O in
//! flight (this process was running while a fault waited for the disk) and timer ticks in
//! user mode were counted during fault I/O in its window; otherwise fails with a message.
#![no_std]
#![no_main]

use core::hint::black_box;

use rintos_user::entry::Args;
use rintos_user::fail;
use rintos_user::testlib::set_test_name;
use rintos_vm_extra::kernel::{swap_traffic, vm_stats, wait_for_swapping};

rintos_user::entry!(main);

/// Pages moved to or from swap that make the window: many bursts of vm-pressure, so that the
/// window spans a good number of timer ticks even when the disk is fast.
const WINDOW_SWAP_TRAFFIC: u64 = 512;
/// Steps of computing between two looks at the counters.
const STEPS: u32 = 20_000;
/// Looks after which to give up waiting for the window to end.
const MAX_ROUNDS: u32 = 1_000_000;

fn main(_: Args) -> i32 {
    set_test_name("cpu-spinner");
    wait_for_swapping();

    let before = vm_stats();
    let mut state = 1u32;
    let mut looks_during_io = 0;
    let mut rounds = 0;
    let after = loop {
        for _ in 0..STEPS {
            // xorshift32: cheap, and the compiler cannot fold it away.
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
        }
        black_box(state);
        let now = vm_stats();
        if now.majors_in_flight > 0 {
            looks_during_io += 1;
        }
        rounds += 1;
        if swap_traffic(&now) >= swap_traffic(&before) + WINDOW_SWAP_TRAFFIC {
            break now;
        }
        if rounds == MAX_ROUNDS {
            fail!("swapping stopped");
        }
    };

    if looks_during_io == 0 {
        fail!("never ran while a fault waited for the disk");
    }
    if after.user_ticks_during_major == before.user_ticks_during_major {
        fail!("no user tick during fault I/O in {} rounds", rounds);
    }
    0
}
