//! A child of lc-turns: `lc-child ROUND` waits for flag 0 of board `go`, then works through
//! 1 MiB of memory three times, as page-parallel's children do: writes round ROUND into it,
//! checks it and writes round ROUND + 4, checks that. Exits 0, or fails naming the first
//! wrong word. In the first pass it looks at the board again every 8 pages: each look is a
//! disk read, during which the other children run, so that all four are under way when memory
//! fills (alone, one child could finish in the time slices it gets).
#![no_std]
#![no_main]

use core::hint::black_box;

use rintos_user::entry::Args;
use rintos_user::testlib::set_test_name;
use rintos_user::{ProcessGlobal, fail};
use rintos_vm_extra::board::Board;
use rintos_vm_extra::{number_arg, pattern};

rintos_user::entry!(main);

const WORDS: usize = 1024 * 1024 / 4;
/// 8 pages of words.
const WORDS_BETWEEN_LOOKS: usize = 8 * 4096 / 4;

static DATA: ProcessGlobal<[u32; WORDS]> = ProcessGlobal::new([0; WORDS]);

fn main(args: Args) -> i32 {
    set_test_name("lc-child");
    let round = number_arg(&args, 1);
    let go = Board::open(c"go");
    go.wait_for(0);
    let mut data = DATA.borrow_mut();
    for (index, word) in black_box(&mut *data).iter_mut().enumerate() {
        if index % WORDS_BETWEEN_LOOKS == 0 {
            go.is_raised(0);
        }
        *word = pattern::word(round, index);
    }
    for (index, word) in black_box(&mut *data).iter_mut().enumerate() {
        if *word != pattern::word(round, index) {
            fail!("word {} is {:#x} after the first pass", index, *word);
        }
        *word = pattern::word(round + 4, index);
    }
    for (index, word) in black_box(&*data).iter().enumerate() {
        if *word != pattern::word(round + 4, index) {
            fail!("word {} is {:#x} after the second pass", index, *word);
        }
    }
    0
}
