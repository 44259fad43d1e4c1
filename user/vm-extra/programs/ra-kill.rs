//! A process killed while the kernel reads ahead for it leaves nothing behind: ra-walker
//! writes 3 MiB (twice the user pool), reads its pages back in order from swap and, as soon
//! as a page read ahead for it is being read or waits for its fault, reads address 0. That
//! page must be freed all the same, frame and swap slot alike (the kernel's leak check at
//! power-off, `Resources at start` / `at end`, proves it), and counted as read for nothing.
#![no_std]
#![no_main]

use rintos_user::check;
use rintos_user::syscall::{exec, vm_stats, wait};

rintos_user::test_main!(test_main);

fn test_main() {
    for round in 1..=3 {
        let before = vm_stats();
        check!(let walker = exec(c"ra-walker 3 768 die") => walker != -1, "round {}: exec \"ra-walker 3 768 die\"", round);
        check!(wait(walker) == -1, "round {}: the walker was killed", round);
        check!(
            vm_stats().read_ahead_wasted > before.read_ahead_wasted,
            "round {}: what was read ahead for it was freed unused",
            round
        );
    }
}
