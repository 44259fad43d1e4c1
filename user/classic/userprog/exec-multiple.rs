//! Runs four children one after the other.
#![no_std]
#![no_main]

use rintos_user::syscall::{exec, wait};

rintos_user::test_main!(test_main);

fn test_main() {
    for _ in 0..4 {
        wait(exec(c"child-simple"));
    }
}
