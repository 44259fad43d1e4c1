//! Runs one child and waits for it.
#![no_std]
#![no_main]

use rintos_user::syscall::{exec, wait};

rintos_user::test_main!(test_main);

fn test_main() {
    wait(exec(c"child-simple"));
}
