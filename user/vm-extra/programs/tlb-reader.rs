//! The reader of tlb-shootdown: fills its pages once, then reads them again and again, with
//! no system call in between that could make its CPU switch address spaces (which would
//! flush the translations the test is about), until the kernel has taken pages away from
//! it on another CPU often enough. Exits 0, or fails naming the first word that is not its
//! own.
#![no_std]
#![no_main]

use core::hint::black_box;

use rintos_user::abi::PAGE_SIZE;
use rintos_user::entry::Args;
use rintos_user::testlib::set_test_name;
use rintos_user::{ProcessGlobal, fail};
use rintos_vm_extra::kernel::vm_stats;
use rintos_vm_extra::pattern;

rintos_user::entry!(main);

const PAGES: usize = 16;
const WORDS: usize = PAGES * PAGE_SIZE / 4;
/// The round of `pattern` the reader writes (vm-pressure writes rounds 1, 2, ...).
const ROUND: u32 = 0xDEAD;
/// Passes over the pages between two looks at the kernel's counters.
const PASSES_PER_LOOK: u32 = 32;
/// Shootdown rounds to live through before the reader is satisfied.
const SHOOTDOWNS: u64 = 40;
/// Passes after which the reader gives up waiting for shootdowns.
const MAX_PASSES: u32 = 200_000;

static DATA: ProcessGlobal<[u32; WORDS]> = ProcessGlobal::new([0; WORDS]);

fn main(_args: Args) -> i32 {
    set_test_name("tlb-reader");
    let mut data = DATA.borrow_mut();
    for (index, word) in data.iter_mut().enumerate() {
        *word = pattern::word(ROUND, index);
    }
    let start = vm_stats().tlb_shootdowns;
    for pass in 0..MAX_PASSES {
        for (index, word) in black_box(&*data).iter().enumerate() {
            let expected = pattern::word(ROUND, index);
            if *word != expected {
                fail!("word {} (page {}) is {:#x}, not its own {:#x}, in pass {}", index, index * 4 / PAGE_SIZE, *word, expected, pass);
            }
        }
        if pass % PASSES_PER_LOOK == PASSES_PER_LOOK - 1 && vm_stats().tlb_shootdowns - start >= SHOOTDOWNS {
            return 0;
        }
    }
    fail!("fewer than {} TLB shootdowns in {} passes", SHOOTDOWNS, MAX_PASSES)
}
