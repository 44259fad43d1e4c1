//! Writes to NULL: the process must be killed.
#![no_std]
#![no_main]

use rintos_user::fail;
use rintos_user::fault::write_word;

rintos_user::test_main!(test_main);

fn test_main() {
    // SAFETY: page 0 is never mapped; the store gets us killed.
    unsafe { write_word(0, 42) };
    fail!("should have exited with -1");
}
