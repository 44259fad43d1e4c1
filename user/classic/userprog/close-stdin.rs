//! Closes the keyboard (fd 0): must do nothing or kill the process.
#![no_std]
#![no_main]

use rintos_user::syscall::{STDIN_FILENO, close};

rintos_user::test_main!(test_main);

fn test_main() {
    close(STDIN_FILENO);
}
