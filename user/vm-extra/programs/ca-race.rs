//! Clean-ahead on two CPUs: the pageout task writes dirty pages to swap while they stay
//! mapped, and the process that owns them may write them meanwhile on another CPU.
//! ca-writer rewrites its pages over and over on one CPU while vm-pressure, on the other,
//! keeps memory short, so that the clock passes the writer's pages as dirty and the task
//! cleans them. The kernel clears a page's dirty bit before copying it, and must make the
//! writer's CPU forget its cached translation (which still says "dirty") before the copy:
//! otherwise a write after the copy sets no dirty bit, the page is later evicted as clean,
//! and the writer gets an older pass's contents back from swap.
//!
//! Run on two CPUs with `-clean-ahead=on` (the catalogue case does).
#![no_std]
#![no_main]

use rintos_user::check;
use rintos_user::syscall::{exec, wait};
use rintos_vm_extra::board::Board;
use rintos_vm_extra::kernel::vm_stats;

rintos_user::test_main!(test_main);

fn test_main() {
    let stop = Board::create(c"stop", 1);
    let cleaned = vm_stats().clean_ahead_writes;
    check!(let writer = exec(c"ca-writer") => writer != -1, "exec \"ca-writer\"");
    check!(let pressure = exec(c"vm-pressure stop") => pressure != -1, "exec \"vm-pressure stop\"");
    check!(wait(writer) == 0, "the writer always read back what it last wrote while its pages were cleaned");
    stop.raise(0);
    check!(wait(pressure) == 0, "the swapping process read back every page it wrote");
    check!(vm_stats().clean_ahead_writes > cleaned, "pages were written to swap ahead of need");
}
