//! Child of syn-read, run as `child-syn-read N`: regenerates the PRNG stream (seed 0) and
//! reads "data" one byte at a time, comparing; exits with N.
#![no_std]
#![no_main]

use rintos_user::cstr::atoi;
use rintos_user::entry::Args;
use rintos_user::syscall::{close, open, read};
use rintos_user::testlib::{compare_bytes, set_quiet, set_test_name};
use rintos_user::{ProcessGlobal, check, random};

rintos_user::entry!(main);

static EXPECTED: ProcessGlobal<[u8; 1024]> = ProcessGlobal::new([0; 1024]);

fn main(args: Args) -> i32 {
    set_test_name("child-syn-read");
    set_quiet(true);
    check!(args.len() == 2, "argc must be 2, actually {}", args.len());
    let child_index = args.get(1).map_or(0, atoi);

    let mut expected = EXPECTED.borrow_mut();
    random::init(0);
    random::fill_bytes(&mut expected[..]);

    check!(let fd = open(c"data") => fd > 1, "open \"data\"");
    for (offset, expected_byte) in expected.iter().enumerate() {
        let mut byte = [0u8];
        check!(read(fd, &mut byte) > 0, "read \"data\"");
        compare_bytes(&byte, core::slice::from_ref(expected_byte), offset, c"data");
    }
    close(fd);
    child_index
}
