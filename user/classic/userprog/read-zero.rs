//! A read of 0 bytes must return 0 and leave the buffer alone.
#![no_std]
#![no_main]

use rintos_user::syscall::{open, read};
use rintos_user::{check, fail};

rintos_user::test_main!(test_main);

fn test_main() {
    check!(let fd = open(c"sample.txt") => fd > 1, "open \"sample.txt\"");
    let mut buffer = [123u8];
    let count = read(fd, &mut buffer[..0]);
    if count != 0 {
        fail!("read() returned {} instead of 0", count);
    } else if buffer[0] != 123 {
        fail!("0-byte read() modified buffer");
    }
}
