//! Writes 5678 bytes of PRNG data to a new file front to back in `write`s of random
//! sizes from 1 to 1031 bytes (PRNG seeded with -1), and verifies them.
#![no_std]
#![no_main]

use rintos_user::common::filesys::seq_test;
use rintos_user::{ProcessGlobal, random};

rintos_user::test_main!(test_main);

const SIZE: usize = 5678;
static DATA: ProcessGlobal<[u8; SIZE]> = ProcessGlobal::new([0; SIZE]);

fn test_main() {
    random::init(-1i32 as u32);
    seq_test(c"nibble", &mut DATA.borrow_mut()[..], || {
        random::next_u32() as usize % 1031 + 1
    });
}
