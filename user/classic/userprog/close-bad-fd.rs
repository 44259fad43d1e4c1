//! Closes a descriptor never opened: must do nothing or kill the process.
#![no_std]
#![no_main]

use rintos_user::syscall::close;

rintos_user::test_main!(test_main);

fn test_main() {
    close(0x2010_1234);
}
