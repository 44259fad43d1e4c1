//! Child of rox-child and rox-multichild, run as `child-rox DEPTH`: checks that its own
//! executable cannot be written, runs `child-rox DEPTH-1` if DEPTH > 1, checks again, and
//! exits with 12.
#![no_std]
#![no_main]

use rintos_user::cstr::{StrBuf, atoi};
use rintos_user::entry::Args;
use rintos_user::syscall::{close, exec, open, wait, write};
use rintos_user::testlib::{set_quiet, set_test_name};
use rintos_user::{check, fail, msg};

rintos_user::entry!(main);

fn main(args: Args) -> i32 {
    set_test_name("child-rox");
    msg!("begin");
    try_write();

    let depth = match args.get(1) {
        Some(arg) if arg.to_bytes().first().is_some_and(u8::is_ascii_digit) => atoi(arg),
        _ => fail!("bad command-line arguments"),
    };
    if depth > 1 {
        let command = StrBuf::<128>::format(format_args!("child-rox {}", depth - 1));
        check!(let child = exec(command.as_cstr()) => child != -1, "exec \"{}\"", command);
        set_quiet(true);
        check!(wait(child) == 12, "wait for \"child-rox\"");
        set_quiet(false);
    }

    try_write();
    msg!("end");
    12
}

/// Writing to our own executable must be refused: `write` returns 0.
fn try_write() {
    set_quiet(true);
    check!(let fd = open(c"child-rox") => fd > 1, "open \"child-rox\"");
    set_quiet(false);

    let buffer = [0u8; 19];
    check!(write(fd, &buffer) == 0, "try to write \"child-rox\"");
    close(fd);
}
