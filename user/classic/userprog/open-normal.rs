//! Opens an existing file.
#![no_std]
#![no_main]

use rintos_user::fail;
use rintos_user::syscall::open;

rintos_user::test_main!(test_main);

fn test_main() {
    let fd = open(c"sample.txt");
    if fd < 2 {
        fail!("open() returned {}", fd);
    }
}
