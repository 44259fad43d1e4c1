//! Reads the word at NULL: the process must be killed.
#![no_std]
#![no_main]

use rintos_user::fault::read_word;
use rintos_user::{fail, msg};

rintos_user::test_main!(test_main);

fn test_main() {
    // SAFETY: page 0 is never mapped; the read gets us killed.
    msg!(
        "Congratulations - you have successfully dereferenced NULL: {}",
        unsafe { read_word(0) }
    );
    fail!("should have exited with -1");
}
