//! Reads from invalid descriptors: each must fail or kill the process.
#![no_std]
#![no_main]

use rintos_user::syscall::read;

rintos_user::test_main!(test_main);

fn test_main() {
    let mut buffer = [0u8];
    for fd in [0x2010_1234, 5, 1234, -1, -1024, i32::MIN, i32::MAX] {
        read(fd, &mut buffer);
    }
}
