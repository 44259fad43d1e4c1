//! The writer of ca-race: fills its pages, then rewrites them again and again, each pass
//! checking that every word still holds what the pass before wrote, with no system call in
//! between that could make its CPU switch address spaces (which would flush the
//! translations the test is about), until the kernel has cleaned enough pages ahead of need.
//! Exits 0, or fails naming the first word that holds an older pass's value.
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
/// Passes between two looks at the kernel's counters.
const PASSES_PER_LOOK: u32 = 32;
/// Pages cleaned ahead (by the whole system) to live through before the writer is satisfied.
const CLEANED: u64 = 600;
/// Passes after which the writer gives up waiting for clean-ahead.
const MAX_PASSES: u32 = 100_000;

static DATA: ProcessGlobal<[u32; WORDS]> = ProcessGlobal::new([0; WORDS]);

fn main(_args: Args) -> i32 {
    set_test_name("ca-writer");
    let mut data = DATA.borrow_mut();
    for (index, word) in data.iter_mut().enumerate() {
        *word = pattern::word(0, index);
    }
    let start = vm_stats().clean_ahead_writes;
    for pass in 0..MAX_PASSES {
        for (index, word) in black_box(&mut *data).iter_mut().enumerate() {
            let expected = pattern::word(pass, index);
            if *word != expected {
                fail!("word {} (page {}) is {:#x}, not {:#x} of pass {}", index, index * 4 / PAGE_SIZE, *word, expected, pass);
            }
            *word = pattern::word(pass + 1, index);
        }
        if pass % PASSES_PER_LOOK == PASSES_PER_LOOK - 1 && vm_stats().clean_ahead_writes - start >= CLEANED {
            return 0;
        }
    }
    fail!("fewer than {} pages cleaned ahead in {} passes", CLEANED, MAX_PASSES)
}
