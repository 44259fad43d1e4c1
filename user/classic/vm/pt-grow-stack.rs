//! Uses a 4 KiB array on the stack, so the stack must grow by a page: encrypts zeros with
//! ARC4 and prints the checksum.
#![no_std]
#![no_main]

use rintos_user::algo::{Arc4, cksum};
use rintos_user::msg;

rintos_user::test_main!(test_main);

fn test_main() {
    let mut stack_object = [0u8; 4096];
    Arc4::new(b"foobar").crypt(&mut stack_object);
    msg!("cksum: {}", cksum(&stack_object));
}
