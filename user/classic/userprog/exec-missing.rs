//! exec of a file that does not exist must return -1.
#![no_std]
#![no_main]

use rintos_user::msg;
use rintos_user::syscall::exec;

rintos_user::test_main!(test_main);

fn test_main() {
    msg!("exec(\"no-such-file\"): {}", exec(c"no-such-file"));
}
