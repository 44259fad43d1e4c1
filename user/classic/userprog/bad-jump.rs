//! Calls address 0: the process must be killed.
#![no_std]
#![no_main]

use rintos_user::fault::call_address;
use rintos_user::{fail, msg};

rintos_user::test_main!(test_main);

fn test_main() {
    // SAFETY: page 0 is never mapped; the call gets us killed.
    msg!(
        "Congratulations - you have successfully called NULL: {}",
        unsafe { call_address(0) }
    );
    fail!("should have exited with -1");
}
