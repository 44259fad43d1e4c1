//! A process killed while the kernel reads ahead for it leaves nothing behind: ra-walker
//! writes 3 MiB (twice the user pool), reads its pages back in order from swap and, once that
//! second pass has found pages read ahead, reads address 0. The pages being read ahead for it
//! at that moment, or read and not used yet, must be freed all the same, frames and swap
//! slots alike: the kernel's leak check at power-off (`Resources at start` / `at end`) proves
//! it. The test checks that such pages were there: some were freed unused (wasted). A walker
//! may die at a moment when nothing could be read ahead for it (no frame was free or
//! clean), so it takes three.
#![no_std]
#![no_main]

use rintos_user::check;
use rintos_user::syscall::{exec, vm_stats, wait};

rintos_user::test_main!(test_main);

fn test_main() {
    let before = vm_stats();
    for round in 1..=3 {
        check!(let walker = exec(c"ra-walker 3 768 die") => walker != -1, "round {}: exec \"ra-walker 3 768 die\"", round);
        check!(wait(walker) == -1, "round {}: the walker was killed", round);
    }
    check!(
        vm_stats().read_ahead_wasted > before.read_ahead_wasted,
        "pages read ahead for the walkers were freed unused"
    );
}
