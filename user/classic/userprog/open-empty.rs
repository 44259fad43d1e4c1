//! Opening the empty name must return -1.
#![no_std]
#![no_main]

use rintos_user::fail;
use rintos_user::syscall::open;

rintos_user::test_main!(test_main);

fn test_main() {
    let fd = open(c"");
    if fd != -1 {
        fail!("open() returned {} instead of -1", fd);
    }
}
