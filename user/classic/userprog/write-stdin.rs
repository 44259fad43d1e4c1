//! Writes to the keyboard (fd 0): must fail or kill the process.
#![no_std]
#![no_main]

use rintos_user::syscall::{STDIN_FILENO, write};

rintos_user::test_main!(test_main);

fn test_main() {
    write(STDIN_FILENO, &[123]);
}
