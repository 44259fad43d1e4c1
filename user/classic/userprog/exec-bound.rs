//! Runs a child whose command line straddles a page boundary. Valid, so it must work.
#![no_std]
#![no_main]

use rintos_user::boundary::copy_string_across_boundary;
use rintos_user::syscall::{raw, wait};

rintos_user::test_main!(test_main);

fn test_main() {
    wait(raw::exec(copy_string_across_boundary(
        b"child-args arg1 arg2",
    )));
}
