//! Child of syn-write, run as `child-syn-wrt N`: regenerates the PRNG stream (seed 0) and
//! writes its bytes N*512 to N*512+511 at that offset of "stuff"; exits with N.
#![no_std]
#![no_main]

use rintos_user::cstr::atoi;
use rintos_user::entry::Args;
use rintos_user::syscall::{close, open, seek, write};
use rintos_user::testlib::{set_quiet, set_test_name};
use rintos_user::{ProcessGlobal, check, msg, random};

rintos_user::entry!(main);

const CHUNK_SIZE: usize = 512;
static STREAM: ProcessGlobal<[u8; 10 * CHUNK_SIZE]> = ProcessGlobal::new([0; 10 * CHUNK_SIZE]);

fn main(args: Args) -> i32 {
    set_test_name("child-syn-wrt");
    set_quiet(true);
    check!(args.len() == 2, "argc must be 2, actually {}", args.len());
    let child_index = args.get(1).map_or(0, atoi);
    let offset = CHUNK_SIZE * usize::try_from(child_index).unwrap_or(0);

    let mut stream = STREAM.borrow_mut();
    random::init(0);
    random::fill_bytes(&mut stream[..]);

    check!(let fd = open(c"stuff") => fd > 1, "open \"stuff\"");
    seek(fd, offset as u32);
    check!(
        write(fd, &stream[offset..offset + CHUNK_SIZE]) > 0,
        "write \"stuff\""
    );
    msg!("close \"stuff\"");
    close(fd);
    child_index
}
