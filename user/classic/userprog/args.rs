//! Prints its command-line arguments. Used, under six names, by args-none, args-single,
//! args-multiple, args-many, args-dbl-space and (as child-args) exec-arg and exec-bound.
#![no_std]
#![no_main]

use rintos_user::cstr::show;
use rintos_user::entry::Args;
use rintos_user::msg;
use rintos_user::testlib::set_test_name;

rintos_user::entry!(main);

fn main(args: Args) -> i32 {
    set_test_name("args");
    msg!("begin");
    msg!("argc = {}", args.len());
    // Up to and including argv[argc], which must be NULL.
    for index in 0..=args.len() {
        match args.get(index) {
            Some(arg) => msg!("argv[{}] = '{}'", index, show(arg)),
            None => msg!("argv[{}] = null", index),
        }
    }
    msg!("end");
    0
}
