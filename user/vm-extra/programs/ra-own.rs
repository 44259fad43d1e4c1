//! Read-ahead reads a process's own pages only, and only its own faults map them. Two
//! ra-walker processes with different keys fill 1.5 MiB (384 pages) each, together more than
//! the user pool, and read them back in order at the same time, so that their pages are in
//! swap side by side and both fault their way through them while the kernel reads ahead for
//! each: each must find only its own bytes, and some of their faults must have found their
//! pages read ahead.
#![no_std]
#![no_main]

use rintos_user::check;
use rintos_user::syscall::{exec, vm_stats, wait};

rintos_user::test_main!(test_main);

fn test_main() {
    let before = vm_stats();
    check!(let first = exec(c"ra-walker 1 384") => first != -1, "exec \"ra-walker 1 384\"");
    check!(let second = exec(c"ra-walker 2 384") => second != -1, "exec \"ra-walker 2 384\"");
    check!(wait(first) == 0, "ra-walker 1 read back only its own bytes");
    check!(wait(second) == 0, "ra-walker 2 read back only its own bytes");
    let after = vm_stats();
    check!(
        after.read_ahead_hits > before.read_ahead_hits,
        "some of their faults found pages read ahead"
    );
}
