//! Child of exec-once, exec-multiple, wait-simple and wait-twice: prints one line and
//! exits with 81.
#![no_std]
#![no_main]

use rintos_user::entry::Args;
use rintos_user::msg;
use rintos_user::testlib::set_test_name;

rintos_user::entry!(main);

fn main(_args: Args) -> i32 {
    set_test_name("child-simple");
    msg!("run");
    81
}
