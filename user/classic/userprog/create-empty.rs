//! Creates a file with the empty name: must fail (or kill the process).
#![no_std]
#![no_main]

use rintos_user::msg;
use rintos_user::syscall::create;

rintos_user::test_main!(test_main);

fn test_main() {
    msg!("create(\"\"): {}", i32::from(create(c"", 0)));
}
