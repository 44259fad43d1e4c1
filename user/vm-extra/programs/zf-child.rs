//! A child of zero-fill-par: `zf-child ROUND` touches every page of a 512 KiB array of
//! zeros, checks it is zero and writes round ROUND of `pattern` into it, then reads it all
//! back. Exits 0, or fails naming the first wrong word.
#![no_std]
#![no_main]

use core::hint::black_box;

use rintos_user::entry::Args;
use rintos_user::testlib::set_test_name;
use rintos_user::{ProcessGlobal, fail};
use rintos_vm_extra::{pattern, text_arg};

rintos_user::entry!(main);

const WORDS: usize = 512 * 1024 / 4;

static DATA: ProcessGlobal<[u32; WORDS]> = ProcessGlobal::new([0; WORDS]);

fn main(args: Args) -> i32 {
    set_test_name("zf-child");
    let Some(round) = text_arg(&args, 1).to_str().ok().and_then(|text| text.parse::<u32>().ok()) else {
        fail!("usage: zf-child ROUND");
    };
    let mut data = DATA.borrow_mut();
    for (index, word) in black_box(&mut *data).iter_mut().enumerate() {
        if *word != 0 {
            fail!("word {} of a fresh page is {:#x}", index, *word);
        }
        *word = pattern::word(round, index);
    }
    for (index, word) in black_box(&*data).iter().enumerate() {
        if *word != pattern::word(round, index) {
            fail!("word {} is {:#x} after the writes", index, *word);
        }
    }
    0
}
