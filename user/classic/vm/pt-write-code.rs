//! Writes into its own code: the process must be killed.
#![no_std]
#![no_main]

use rintos_user::fail;
use rintos_user::fault::write_word;

rintos_user::test_main!(test_main);

fn test_main() {
    // SAFETY: code pages are mapped read-only; the store gets us killed.
    unsafe { write_word((test_main as fn() as *const ()).addr(), 0) };
    fail!("writing the code segment succeeded");
}
