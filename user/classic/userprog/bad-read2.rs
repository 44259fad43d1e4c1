//! Reads kernel memory: the process must be killed.
#![no_std]
#![no_main]

use rintos_user::fault::read_word;
use rintos_user::{fail, msg};

rintos_user::test_main!(test_main);

fn test_main() {
    // SAFETY: 0xC0000000 is kernel memory; the read gets us killed.
    msg!(
        "Congratulations - you have successfully read kernel memory: {}",
        unsafe { read_word(0xC000_0000) }
    );
    fail!("should have exited with -1");
}
