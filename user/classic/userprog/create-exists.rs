//! Creating a file under a name that exists must fail.
#![no_std]
#![no_main]

use rintos_user::check;
use rintos_user::syscall::create;

rintos_user::test_main!(test_main);

fn test_main() {
    check!(create(c"quux.dat", 0), "create quux.dat");
    check!(create(c"warble.dat", 0), "create warble.dat");
    check!(!create(c"quux.dat", 0), "try to re-create quux.dat");
    check!(create(c"baffle.dat", 0), "create baffle.dat");
    // The classic message really names quux.dat here; the expected output has it so.
    check!(!create(c"warble.dat", 0), "try to re-create quux.dat");
}
