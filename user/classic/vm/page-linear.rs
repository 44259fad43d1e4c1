//! Fills a 2 MiB static buffer, more than physical memory, and reads and rewrites it in
//! order several times: pages must go to swap and come back intact.
#![no_std]
#![no_main]

use core::hint::black_box;

use rintos_user::algo::Arc4;
use rintos_user::{ProcessGlobal, fail, msg};

rintos_user::test_main!(test_main);

const SIZE: usize = 2 * 1024 * 1024;
static BUFFER: ProcessGlobal<[u8; SIZE]> = ProcessGlobal::new([0; SIZE]);

fn test_main() {
    let mut buffer = BUFFER.borrow_mut();

    msg!("initialize");
    buffer.fill(0x5a);

    msg!("read pass");
    check_all_5a(black_box(&buffer[..]));

    msg!("read/modify/write pass one");
    Arc4::new(b"foobar").crypt(&mut buffer[..]);

    msg!("read/modify/write pass two");
    Arc4::new(b"foobar").crypt(&mut buffer[..]);

    msg!("read pass");
    check_all_5a(black_box(&buffer[..]));
}

/// `black_box` at the call sites makes the compiler really read the memory back instead
/// of remembering what it wrote.
fn check_all_5a(buffer: &[u8]) {
    if let Some(index) = buffer.iter().position(|&byte| byte != 0x5a) {
        fail!("byte {} != 0x5a", index);
    }
}
