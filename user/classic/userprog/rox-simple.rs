//! A running program's own executable must not be writable: the write must return 0.
#![no_std]
#![no_main]

use rintos_user::check;
use rintos_user::syscall::{open, read, write};

rintos_user::test_main!(test_main);

fn test_main() {
    let mut buffer = [0u8; 16];
    check!(let fd = open(c"rox-simple") => fd > 1, "open \"rox-simple\"");
    check!(read(fd, &mut buffer) == 16, "read \"rox-simple\"");
    check!(write(fd, &buffer) == 0, "try to write \"rox-simple\"");
}
