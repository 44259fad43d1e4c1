//! A process killed while the kernel reads ahead for it leaves nothing behind: ra-walker
//! writes 3 MiB (twice the user pool), reads its pages back in order from swap and reads
//! address 0 halfway through. The pages being read ahead for it at that moment, or read and
//! not used yet, must be freed all the same, frames and swap slots alike: the kernel's leak
//! check at power-off (`Resources at start` / `at end`) proves it. Each round checks that
//! pages were read ahead for the walker at all.
#![no_std]
#![no_main]

use rintos_user::abi::VmStats;
use rintos_user::check;
use rintos_user::syscall::{exec, vm_stats, wait};

rintos_user::test_main!(test_main);

fn read_ahead(stats: &VmStats) -> u64 {
    stats.read_ahead_hits + stats.read_ahead_wasted
}

fn test_main() {
    for round in 1..=3 {
        let before = vm_stats();
        check!(let walker = exec(c"ra-walker 3 768 die") => walker != -1, "round {}: exec \"ra-walker 3 768 die\"", round);
        check!(wait(walker) == -1, "round {}: the walker was killed", round);
        check!(
            read_ahead(&vm_stats()) > read_ahead(&before),
            "round {}: pages had been read ahead for it",
            round
        );
    }
}
