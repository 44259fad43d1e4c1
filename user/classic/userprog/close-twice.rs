//! Closes a descriptor twice: the second close must do nothing or kill the process.
#![no_std]
#![no_main]

use rintos_user::syscall::{close, open};
use rintos_user::{check, msg};

rintos_user::test_main!(test_main);

fn test_main() {
    check!(let fd = open(c"sample.txt") => fd > 1, "open \"sample.txt\"");
    msg!("close \"sample.txt\"");
    close(fd);
    msg!("close \"sample.txt\" again");
    close(fd);
}
