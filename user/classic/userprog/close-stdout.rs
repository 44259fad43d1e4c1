//! Closes the console (fd 1): must do nothing or kill the process. If it does nothing, the
//! console must keep working for the `end` message.
#![no_std]
#![no_main]

use rintos_user::syscall::{STDOUT_FILENO, close};

rintos_user::test_main!(test_main);

fn test_main() {
    close(STDOUT_FILENO);
}
