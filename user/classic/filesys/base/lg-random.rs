//! Writes 150 blocks of 512 bytes to a new file in random order, then reads them
//! back in another random order and compares.
#![no_std]
#![no_main]

use rintos_user::ProcessGlobal;
use rintos_user::common::filesys::random_order_test;

rintos_user::test_main!(test_main);

const BLOCK_SIZE: usize = 512;
const BLOCK_COUNT: usize = 150;
static DATA: ProcessGlobal<[u8; BLOCK_SIZE * BLOCK_COUNT]> =
    ProcessGlobal::new([0; BLOCK_SIZE * BLOCK_COUNT]);

fn test_main() {
    random_order_test::<BLOCK_SIZE, BLOCK_COUNT>(c"bazzle", &mut DATA.borrow_mut()[..]);
}
