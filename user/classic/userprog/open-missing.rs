//! Opening a file that does not exist must return -1.
#![no_std]
#![no_main]

use rintos_user::fail;
use rintos_user::syscall::open;

rintos_user::test_main!(test_main);

fn test_main() {
    let fd = open(c"no-such-file");
    if fd != -1 {
        fail!("open() returned {}", fd);
    }
}
