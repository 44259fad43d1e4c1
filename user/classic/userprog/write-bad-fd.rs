//! Writes to invalid descriptors: each must fail or kill the process.
#![no_std]
#![no_main]

use rintos_user::syscall::write;

rintos_user::test_main!(test_main);

fn test_main() {
    for fd in [0x0101_2342, 7, 2546, -5, -8192, i32::MIN + 1, i32::MAX - 1] {
        write(fd, &[123]);
    }
}
