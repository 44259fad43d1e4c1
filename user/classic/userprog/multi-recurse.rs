//! Run as `multi-recurse N`: prints `begin N`, runs `multi-recurse N-1` and waits for it
//! (which must exit with N-1), prints `end N` and exits with N. `multi-recurse 15` has 16
//! processes alive at once.
#![no_std]
#![no_main]

use rintos_user::cstr::{StrBuf, atoi};
use rintos_user::entry::Args;
use rintos_user::syscall::{exec, wait};
use rintos_user::testlib::set_test_name;
use rintos_user::{check, fail, msg};

rintos_user::entry!(main);

fn main(args: Args) -> i32 {
    set_test_name("multi-recurse");
    let depth = args.get(1).map_or(0, atoi);

    msg!("begin {}", depth);
    if depth != 0 {
        let command = StrBuf::<128>::format(format_args!("multi-recurse {}", depth - 1));
        check!(let child = exec(command.as_cstr()) => child != -1, "exec(\"{}\")", command);
        let status = wait(child);
        if status != depth - 1 {
            fail!("wait(exec(\"{}\")) returned {}", command, status);
        }
    }
    msg!("end {}", depth);
    depth
}
