//! Child of page-merge-seq and page-merge-par, run as `child-sort FILE`: reads up to 128 KiB
//! of FILE into static memory, sorts the bytes with a counting sort, writes them back in
//! place and exits with 123.
#![no_std]
#![no_main]

use rintos_user::cstr::show;
use rintos_user::entry::Args;
use rintos_user::syscall::{close, open, read, seek, write};
use rintos_user::testlib::{set_quiet, set_test_name};
use rintos_user::{ProcessGlobal, check};

rintos_user::entry!(main);

static BUFFER: ProcessGlobal<[u8; 128 * 1024]> = ProcessGlobal::new([0; 128 * 1024]);

fn main(args: Args) -> i32 {
    set_test_name("child-sort");
    set_quiet(true);
    let name = args.get(1).unwrap_or(c"");
    let mut buffer = BUFFER.borrow_mut();

    check!(let fd = open(name) => fd > 1, "open \"{}\"", show(name));
    let size = usize::try_from(read(fd, &mut buffer[..])).unwrap_or(0);
    let data = &mut buffer[..size];

    let mut histogram = [0usize; 256];
    for &byte in data.iter() {
        histogram[usize::from(byte)] += 1;
    }
    let mut rest = &mut data[..];
    for (value, &count) in histogram.iter().enumerate() {
        let (run, after) = rest.split_at_mut(count);
        run.fill(value as u8);
        rest = after;
    }

    seek(fd, 0);
    write(fd, data);
    close(fd);
    123
}
