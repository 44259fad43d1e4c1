//! Sorts 1 MiB of ARC4 noise in 8 chunks of 128 KiB by child-qsort processes (quicksort
//! in a 128 KiB stack array), all running at once, then merges the chunks and verifies
//! them.
#![no_std]
#![no_main]

use rintos_user::ProcessGlobal;
use rintos_user::common::merge::{Histogram, parallel_merge};

rintos_user::test_main!(test_main);

const DATA_SIZE: usize = 8 * 128 * 1024;

static DATA: ProcessGlobal<[u8; DATA_SIZE]> = ProcessGlobal::new([0; DATA_SIZE]);
static SORTED: ProcessGlobal<[u8; DATA_SIZE]> = ProcessGlobal::new([0; DATA_SIZE]);
static HISTOGRAM: ProcessGlobal<Histogram> = ProcessGlobal::new([0; 256]);

fn test_main() {
    parallel_merge(
        "child-qsort",
        72,
        &mut DATA.borrow_mut()[..],
        &mut SORTED.borrow_mut()[..],
        &mut HISTOGRAM.borrow_mut(),
    );
}
