//! Writes 5678 bytes of PRNG data to a new file in a single `write` and verifies them.
#![no_std]
#![no_main]

use rintos_user::ProcessGlobal;
use rintos_user::common::filesys::seq_test;

rintos_user::test_main!(test_main);

const SIZE: usize = 5678;
static DATA: ProcessGlobal<[u8; SIZE]> = ProcessGlobal::new([0; SIZE]);

fn test_main() {
    seq_test(c"quux", &mut DATA.borrow_mut()[..], || SIZE);
}
