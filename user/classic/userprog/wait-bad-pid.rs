//! Waits for a pid that is no child: must fail or kill the process.
#![no_std]
#![no_main]

use rintos_user::syscall::wait;

rintos_user::test_main!(test_main);

fn test_main() {
    wait(0x0C02_0301);
}
