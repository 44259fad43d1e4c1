//! Child of multi-child-fd, run as `child-close FD`: closes FD, which it did not inherit.
//! The close must do nothing or kill this process.
#![no_std]
#![no_main]

use rintos_user::cstr::atoi;
use rintos_user::entry::Args;
use rintos_user::syscall::close;
use rintos_user::testlib::set_test_name;
use rintos_user::{fail, msg};

rintos_user::entry!(main);

fn main(args: Args) -> i32 {
    set_test_name("child-close");
    msg!("begin");
    let fd = match args.get(1) {
        Some(arg) if arg.to_bytes().first().is_some_and(u8::is_ascii_digit) => atoi(arg),
        _ => fail!("bad command-line arguments"),
    };
    close(fd);
    msg!("end");
    0
}
