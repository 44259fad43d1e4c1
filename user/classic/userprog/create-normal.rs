//! Creates an ordinary empty file.
#![no_std]
#![no_main]

use rintos_user::check;
use rintos_user::syscall::create;

rintos_user::test_main!(test_main);

fn test_main() {
    check!(create(c"quux.dat", 0), "create quux.dat");
}
