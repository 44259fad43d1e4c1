//! Reads from the console (fd 1): must fail or kill the process.
#![no_std]
#![no_main]

use rintos_user::syscall::{STDOUT_FILENO, read};

rintos_user::test_main!(test_main);

fn test_main() {
    let mut buffer = [0u8];
    read(STDOUT_FILENO, &mut buffer);
}
