//! Keeps the pager busy for other tests: rewrites 2 MiB of its own data (more than the
//! user pool holds) round after round, so nearly every page it touches is read back from
//! swap after its last version was written there, and checks each page as it goes.
//!
//! `vm-pressure BOARD`: stops when flag 0 of board BOARD is raised; exits 0, or 1 (with a
//! message) if a page came back wrong.
#![no_std]
#![no_main]

use core::hint::black_box;

use rintos_user::abi::PAGE_SIZE;
use rintos_user::entry::Args;
use rintos_user::testlib::set_test_name;
use rintos_user::{ProcessGlobal, fail};
use rintos_vm_extra::board::Board;
use rintos_vm_extra::{pattern, text_arg};

rintos_user::entry!(main);

const SIZE: usize = 2 * 1024 * 1024;
const WORDS_PER_PAGE: usize = PAGE_SIZE / 4;
/// Pages between two looks at the board (a look is a disk read).
const PAGES_PER_LOOK: usize = 16;

static DATA: ProcessGlobal<[u32; SIZE / 4]> = ProcessGlobal::new([0; SIZE / 4]);

fn main(args: Args) -> i32 {
    set_test_name("vm-pressure");
    let stop = Board::open(text_arg(&args, 1));
    let mut data = DATA.borrow_mut();
    for round in 1.. {
        for (page_index, page) in data.chunks_mut(WORDS_PER_PAGE).enumerate() {
            let first = page_index * WORDS_PER_PAGE;
            for (offset, word) in black_box(page).iter_mut().enumerate() {
                // Round 1 finds the zeros of .bss.
                let before = if round == 1 {
                    0
                } else {
                    pattern::word(round - 1, first + offset)
                };
                if *word != before {
                    fail!("word {} is {:#x} in round {}", first + offset, *word, round);
                }
                *word = pattern::word(round, first + offset);
            }
            if page_index % PAGES_PER_LOOK == PAGES_PER_LOOK - 1 && stop.is_raised(0) {
                return 0;
            }
        }
    }
    unreachable!("the rounds never end")
}
