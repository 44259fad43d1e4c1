//! Opens a file whose name straddles a page boundary. Valid, so it must work.
#![no_std]
#![no_main]

use rintos_user::boundary::copy_string_across_boundary;
use rintos_user::check;
use rintos_user::syscall::raw;

rintos_user::test_main!(test_main);

fn test_main() {
    let name = copy_string_across_boundary(b"sample.txt");
    check!(raw::open(name) > 1, "open \"sample.txt\"");
}
