//! Creates a file whose name straddles a page boundary. Valid, so it must work.
#![no_std]
#![no_main]

use rintos_user::boundary::copy_string_across_boundary;
use rintos_user::msg;
use rintos_user::syscall::raw;

rintos_user::test_main!(test_main);

fn test_main() {
    let name = copy_string_across_boundary(b"quux.dat");
    msg!("create(\"quux.dat\"): {}", i32::from(raw::create(name, 0)));
}
