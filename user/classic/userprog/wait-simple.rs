//! Waits for a child and prints its exit status.
#![no_std]
#![no_main]

use rintos_user::msg;
use rintos_user::syscall::{exec, wait};

rintos_user::test_main!(test_main);

fn test_main() {
    msg!("wait(exec()) = {}", wait(exec(c"child-simple")));
}
