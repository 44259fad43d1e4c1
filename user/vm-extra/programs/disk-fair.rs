//! One process that keeps the disk busy must not keep it from all the others: faults are
//! futures precisely so that one process's I/O does not stop the rest. vm-pressure swaps
//! back to back while this test reads a byte of a file again and again, each read a disk
//! request; after the first page has moved to or from swap, 16 more reads must complete.
//!
//! Rintos once failed this test (it ran until its timeout): the IDE channel lock woke its
//! first waiter on release without handing the lock over, so the swapping thread took it
//! again for its next request (an eviction's write is followed at once by the same fault's
//! swap read) before the woken thread ran, and the woken thread queued again at the back.
//! Now the lock goes to its waiters in turn.
#![no_std]
#![no_main]

use rintos_user::syscall::{exec, wait};
use rintos_user::{check, msg};
use rintos_vm_extra::board::Board;
use rintos_vm_extra::kernel::{swap_traffic, vm_stats};

rintos_user::test_main!(test_main);

const READS_WHILE_SWAPPING: u32 = 16;

fn test_main() {
    let stop = Board::create(c"stop", 1);
    let start = swap_traffic(&vm_stats());
    check!(let pressure = exec(c"vm-pressure stop") => pressure != -1, "exec \"vm-pressure stop\"");
    let mut reads = 0;
    while reads < READS_WHILE_SWAPPING {
        // Each look at the flag reads its byte from the disk.
        stop.is_raised(0);
        if swap_traffic(&vm_stats()) > start {
            reads += 1;
        }
    }
    msg!(
        "{} reads of a file completed while the other process swapped",
        READS_WHILE_SWAPPING
    );
    stop.raise(0);
    check!(
        wait(pressure) == 0,
        "the swapping process read back every page it wrote"
    );
}
