//! Child of page-merge-mm, run as `child-qsort-mm FILE`: maps the 128 KiB FILE at
//! 0x10000000, quicksorts it in place and exits with 80 without unmapping: the kernel must
//! write the sorted pages back when the process exits.
#![no_std]
#![no_main]

use rintos_user::check;
use rintos_user::common::qsort::qsort_bytes;
use rintos_user::cstr::show;
use rintos_user::entry::Args;
use rintos_user::syscall::{MAP_FAILED, mmap, open};
use rintos_user::testlib::{set_quiet, set_test_name};

rintos_user::entry!(main);

const MAPPING: usize = 0x1000_0000;
const SIZE: usize = 128 * 1024;

fn main(args: Args) -> i32 {
    set_test_name("child-qsort-mm");
    set_quiet(true);
    let name = args.get(1).unwrap_or(c"");

    check!(let fd = open(name) => fd > 1, "open \"{}\"", show(name));
    check!(mmap(fd, MAPPING) != MAP_FAILED, "mmap \"{}\"", show(name));
    // SAFETY: the kernel just mapped the 128 KiB file there; nothing else refers to it.
    let data = unsafe { core::slice::from_raw_parts_mut(MAPPING as *mut u8, SIZE) };
    qsort_bytes(data);
    80
}
