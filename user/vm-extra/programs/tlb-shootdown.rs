//! A CPU must never use a translation the kernel has removed. tlb-reader fills some pages
//! and then only reads them, on one CPU, while vm-pressure, on the other, rewrites more
//! memory than there is: the clock takes the reader's pages while the reader's CPU still
//! has their translations cached, and gives their frames to vm-pressure, which writes its
//! own data there. The kernel must make the reader's CPU forget those translations (a TLB
//! shootdown) before the frames are reused, so that the reader's next access faults and
//! gets its own data back from swap. Without shootdowns, the reader reads vm-pressure's.
//!
//! Run on two CPUs (the catalogue case boots with `--smp=2`).
#![no_std]
#![no_main]

use rintos_user::check;
use rintos_user::syscall::{exec, wait};
use rintos_vm_extra::board::Board;
use rintos_vm_extra::kernel::vm_stats;

rintos_user::test_main!(test_main);

fn test_main() {
    let stop = Board::create(c"stop", 1);
    let shootdowns = vm_stats().tlb_shootdowns;
    check!(let reader = exec(c"tlb-reader") => reader != -1, "exec \"tlb-reader\"");
    check!(let pressure = exec(c"vm-pressure stop") => pressure != -1, "exec \"vm-pressure stop\"");
    check!(wait(reader) == 0, "the reader saw only its own data while its pages came and went");
    stop.raise(0);
    check!(wait(pressure) == 0, "the swapping process read back every page it wrote");
    check!(
        vm_stats().tlb_shootdowns > shootdowns,
        "the kernel interrupted the reader's CPU to take its translations"
    );
}
