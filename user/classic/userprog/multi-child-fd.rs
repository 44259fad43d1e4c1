//! Opens a file, then runs a child that tries to close the same descriptor number. File
//! descriptors are not inherited, so the parent's descriptor must still work afterwards.
#![no_std]
#![no_main]

use rintos_user::cstr::StrBuf;
use rintos_user::samples::USERPROG_SAMPLE;
use rintos_user::syscall::{exec, open, wait};
use rintos_user::testlib::check_file_handle;
use rintos_user::{check, msg};

rintos_user::test_main!(test_main);

fn test_main() {
    check!(let fd = open(c"sample.txt") => fd > 1, "open \"sample.txt\"");
    let command = StrBuf::<128>::format(format_args!("child-close {fd}"));
    msg!("wait(exec()) = {}", wait(exec(command.as_cstr())));
    check_file_handle(fd, c"sample.txt", USERPROG_SAMPLE);
}
