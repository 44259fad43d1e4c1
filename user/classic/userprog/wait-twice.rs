//! Waits for the same child twice: the second wait must return -1 at once.
#![no_std]
#![no_main]

use rintos_user::msg;
use rintos_user::syscall::{exec, wait};

rintos_user::test_main!(test_main);

fn test_main() {
    let child = exec(c"child-simple");
    msg!("wait(exec()) = {}", wait(child));
    msg!("wait(exec()) = {}", wait(child));
}
