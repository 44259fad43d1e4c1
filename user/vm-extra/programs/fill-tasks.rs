//! Faults on the executor: two processes that each need 1 MiB of memory work at the same
//! moment in a user pool of about 1.4 MiB, so both keep reading pages back from swap (and
//! their executables' pages from the file system). Every fault that reads the disk hands its
//! fill to the kernel executor and parks until that task is done: checks that the executor
//! ran exactly one fill per major fault (a fill that lost a race to share a frame is counted
//! as a retry and runs again), and that both children kept their data.
#![no_std]
#![no_main]

use rintos_user::syscall::{exec, wait};
use rintos_user::{check, fail};
use rintos_vm_extra::board::Board;
use rintos_vm_extra::kernel::vm_stats;

rintos_user::test_main!(test_main);

const CHILDREN: [&core::ffi::CStr; 2] = [c"lc-child 1", c"lc-child 2"];

fn test_main() {
    // Counted from before the children exist, so that none of their faults is under way at
    // either count.
    let before = vm_stats();
    let go = Board::create(c"go", 1);
    let mut children = [0; 2];
    for (slot, command) in children.iter_mut().zip(CHILDREN) {
        check!(let child = exec(command) => child != -1, "exec \"{}\"", command.to_str().unwrap_or("?"));
        *slot = child;
    }
    go.raise(0);
    for (child, command) in children.into_iter().zip(CHILDREN) {
        check!(wait(child) == 0, "\"{}\" kept what it wrote", command.to_str().unwrap_or("?"));
    }
    let after = vm_stats();
    let majors = (after.swap_in + after.file_read + after.mmap_read) - (before.swap_in + before.file_read + before.mmap_read);
    let fills = after.executor_fills - before.executor_fills;
    let retries = after.retries - before.retries;
    if majors == 0 || after.swap_in == before.swap_in {
        fail!("no page was read back from swap ({} major faults)", majors);
    }
    if fills < majors || fills > majors + retries {
        fail!("the executor ran {} fills for {} major faults ({} retries)", fills, majors, retries);
    }
    check!(true, "the executor ran the fill of every major fault");
}
