//! Load control: four processes that each need 1 MiB of memory start their work at the same
//! moment, in a user pool of about 1.4 MiB. Together they cannot fit, one at a time they can:
//! with load control they take turns, and the only pages that go to swap are the others'
//! pages the first holder of the token needed room for (some 170). Without it, all four go
//! on together and at least the 650 or so pages that do not fit go out in the first pass
//! alone. Checks that every child kept its data, that at most 400 pages were written to
//! swap, and that some fault waited for its turn. The catalogue runs it on one CPU and on two
//! (where, without load control, the four children always overlap).
#![no_std]
#![no_main]

use rintos_user::syscall::{exec, wait};
use rintos_user::{check, fail};
use rintos_vm_extra::board::Board;
use rintos_vm_extra::kernel::vm_stats;

rintos_user::test_main!(test_main);

const CHILDREN: [&core::ffi::CStr; 4] = [c"lc-child 1", c"lc-child 2", c"lc-child 3", c"lc-child 4"];

/// Pages written to swap that the test accepts, between the ~170 that taking turns costs
/// and the ~650 that sharing memory costs at the least.
const MOST_WRITTEN: u64 = 400;

fn test_main() {
    let go = Board::create(c"go", 1);
    let mut children = [0; 4];
    for (slot, command) in children.iter_mut().zip(CHILDREN) {
        check!(let child = exec(command) => child != -1, "exec \"{}\"", command.to_str().unwrap_or("?"));
        *slot = child;
    }
    let before = vm_stats();
    go.raise(0);
    for (child, command) in children.into_iter().zip(CHILDREN) {
        check!(wait(child) == 0, "\"{}\" kept what it wrote", command.to_str().unwrap_or("?"));
    }
    let after = vm_stats();
    let written = after.swap_outs - before.swap_outs;
    let waits = after.load_control_waits - before.load_control_waits;
    if written > MOST_WRITTEN {
        fail!("{} pages written to swap (at most {} expected; {} faults waited for their turn)", written, MOST_WRITTEN, waits);
    }
    if waits == 0 {
        fail!("no fault waited for its turn ({} pages written to swap)", written);
    }
    check!(true, "the children took turns, writing few pages to swap");
}
