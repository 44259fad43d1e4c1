//! The writer of mmap-rmw: writes byte 1 of rmw.bin, a partial sector, again and again.
//! Exits 0, or fails.
#![no_std]
#![no_main]

use rintos_user::entry::Args;
use rintos_user::fail;
use rintos_user::syscall::{close, open, seek, write};
use rintos_user::testlib::set_test_name;

rintos_user::entry!(main);

const WRITES: u32 = 600;

fn main(_: Args) -> i32 {
    set_test_name("rmw-writer");
    let fd = open(c"rmw.bin");
    if fd < 2 {
        fail!("open \"rmw.bin\"");
    }
    for value in 0..WRITES {
        seek(fd, 1);
        if write(fd, &[value as u8]) != 1 {
            fail!("write byte 1 (value {value})");
        }
    }
    close(fd);
    0
}
