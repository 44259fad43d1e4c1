//! Full swap: a child that dirties more pages than frames and swap can hold is killed with
//! the kernel's message; this process, and a smaller child after it, run on.
#![no_std]
#![no_main]

use rintos_user::check;
use rintos_user::syscall::{exec, wait};

rintos_user::test_main!(test_main);

fn test_main() {
    // Each child's own lines come before the verdict on it: the status is in hand before the
    // verdict is printed, so the order of the output does not depend on scheduling.
    check!(let hog = exec(c"swap-hog 1024") => hog > 0, "exec \"swap-hog 1024\"");
    let hog_status = wait(hog);
    check!(hog_status == -1, "the hog was killed");
    check!(let small = exec(c"swap-hog 16") => small > 0, "exec \"swap-hog 16\"");
    let small_status = wait(small);
    check!(small_status == 0, "a small one runs to its end");
}
