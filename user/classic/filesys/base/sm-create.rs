//! A newly created file of 5678 bytes must read back as zeros.
#![no_std]
#![no_main]

use rintos_user::ProcessGlobal;
use rintos_user::common::filesys::create_test;

rintos_user::test_main!(test_main);

const SIZE: usize = 5678;
static ZEROS: ProcessGlobal<[u8; SIZE]> = ProcessGlobal::new([0; SIZE]);

fn test_main() {
    create_test(c"blargle", &ZEROS.borrow_mut()[..]);
}
