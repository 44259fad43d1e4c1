//! Waits for a child that the kernel kills: wait must return -1.
#![no_std]
#![no_main]

use rintos_user::msg;
use rintos_user::syscall::{exec, wait};

rintos_user::test_main!(test_main);

fn test_main() {
    msg!("wait(exec()) = {}", wait(exec(c"child-bad")));
}
