//! Writes to kernel memory: the process must be killed.
#![no_std]
#![no_main]

use rintos_user::fail;
use rintos_user::fault::write_word;

rintos_user::test_main!(test_main);

fn test_main() {
    // SAFETY: 0xC0000000 is kernel memory; the store gets us killed.
    unsafe { write_word(0xC000_0000, 42) };
    fail!("should have exited with -1");
}
