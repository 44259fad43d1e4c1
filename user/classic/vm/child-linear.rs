//! Child of page-parallel: encrypts 1 MiB of static zeros with ARC4, keyed with its last
//! argument (its own name), decrypts them again, checks they are zeros, and exits with 0x42.
#![no_std]
#![no_main]

use core::hint::black_box;

use rintos_user::algo::Arc4;
use rintos_user::entry::Args;
use rintos_user::testlib::set_test_name;
use rintos_user::{ProcessGlobal, fail};

rintos_user::entry!(main);

const SIZE: usize = 1024 * 1024;
static BUFFER: ProcessGlobal<[u8; SIZE]> = ProcessGlobal::new([0; SIZE]);

fn main(args: Args) -> i32 {
    set_test_name("child-linear");
    let key = args
        .get(args.len() - 1)
        .expect("argv[argc - 1] exists")
        .to_bytes();
    let mut buffer = BUFFER.borrow_mut();

    Arc4::new(key).crypt(&mut buffer[..]);
    Arc4::new(key).crypt(&mut buffer[..]);

    // `black_box`: the compiler must really read the pages back.
    if let Some(index) = black_box(&buffer[..]).iter().position(|&byte| byte != 0) {
        fail!("byte {} != 0", index);
    }
    0x42
}
