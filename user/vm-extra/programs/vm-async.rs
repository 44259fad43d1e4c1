//! Faults are futures: while one process's fault waits for swap I/O, other processes keep
//! going. vm-pressure swaps continually; meanwhile zero-filler takes 1,024 zero-fill faults
//! and cpu-spinner computes, each checking the kernel's counters over its own window (see
//! their sources). The helpers start first, so that loading them does not compete with the
//! swapping for the disk, and wait for swapping to begin.
#![no_std]
#![no_main]

use rintos_user::check;
use rintos_user::syscall::{exec, wait};
use rintos_vm_extra::board::Board;

rintos_user::test_main!(test_main);

fn test_main() {
    let stop = Board::create(c"stop", 1);
    check!(let zero = exec(c"zero-filler") => zero != -1, "exec \"zero-filler\"");
    check!(let cpu = exec(c"cpu-spinner") => cpu != -1, "exec \"cpu-spinner\"");
    check!(let pressure = exec(c"vm-pressure stop") => pressure != -1, "exec \"vm-pressure stop\"");
    check!(
        wait(zero) == 0,
        "zero-fill faults completed while another process's fault waited for swap I/O"
    );
    check!(
        wait(cpu) == 0,
        "a CPU-bound process ran while another process's fault waited for swap I/O"
    );
    stop.raise(0);
    check!(
        wait(pressure) == 0,
        "the swapping process read back every page it wrote"
    );
}
