//! Helper of vm-async: takes zero-fill faults while another process swaps. Waits until the
//! kernel moves a page to or from swap, then reads one byte of each of 1,024 fresh pages of
//! its .bss: each read is a zero-fill fault, which needs no disk I/O of its own unless the
//! frame it gets held a dirty page (the pages read stay clean, so dropping them again costs
//! nothing). Exits 0 if at least one of the minor faults in that window completed while a
//! fault's disk I/O was in flight (the kernel's `minor_during_major` counter); otherwise
//! fails with a message.
#![no_std]
#![no_main]

use core::hint::black_box;

use rintos_user::abi::PAGE_SIZE;
use rintos_user::entry::Args;
use rintos_user::testlib::set_test_name;
use rintos_user::{ProcessGlobal, fail};
use rintos_vm_extra::kernel::{swap_traffic, vm_stats, wait_for_swapping};

rintos_user::entry!(main);

const PAGES: usize = 1024;

/// Page-aligned, so that the array has its pages to itself (the `ProcessGlobal`'s borrow flag,
/// which `borrow_mut` writes, lies outside them).
#[repr(C, align(4096))]
struct Pages([u8; PAGES * PAGE_SIZE]);

static UNTOUCHED: ProcessGlobal<Pages> = ProcessGlobal::new(Pages([0; PAGES * PAGE_SIZE]));

fn main(_: Args) -> i32 {
    // It runs beside other processes: it prints only if it fails.
    set_test_name("zero-filler");
    let pages = UNTOUCHED.borrow_mut();
    wait_for_swapping();

    let before = vm_stats();
    for (index, page) in pages.0.chunks(PAGE_SIZE).enumerate() {
        if black_box(page)[index % PAGE_SIZE] != 0 {
            fail!("a new page of .bss is not zero");
        }
    }
    let after = vm_stats();

    if after.zero_fill - before.zero_fill < PAGES as u64 {
        fail!(
            "{} zero-fill faults for {} fresh pages read",
            after.zero_fill - before.zero_fill,
            PAGES
        );
    }
    if after.minor_during_major == before.minor_during_major {
        fail!(
            "none of {} minor faults completed during fault I/O ({} pages swapped meanwhile)",
            after.zero_fill - before.zero_fill,
            swap_traffic(&after) - swap_traffic(&before)
        );
    }
    0
}
