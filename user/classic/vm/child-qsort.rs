//! Child of page-merge-stk, run as `child-qsort FILE`: reads 128 KiB of FILE into an array
//! on the stack (which must grow, first inside `read`), quicksorts it, writes it back in
//! place and exits with 72.
#![no_std]
#![no_main]

use core::mem::MaybeUninit;

use rintos_user::check;
use rintos_user::common::qsort::qsort_bytes;
use rintos_user::cstr::show;
use rintos_user::entry::Args;
use rintos_user::syscall::{close, open, raw, seek, write};
use rintos_user::testlib::{set_quiet, set_test_name};

rintos_user::entry!(main);

const SIZE: usize = 128 * 1024;

fn main(args: Args) -> i32 {
    set_test_name("child-qsort");
    set_quiet(true);
    let name = args.get(1).unwrap_or(c"");
    // Uninitialized on purpose: its pages are first touched by the kernel in `read`.
    let mut buffer = MaybeUninit::<[u8; SIZE]>::uninit();

    check!(let fd = open(name) => fd > 1, "open \"{}\"", show(name));
    let start = buffer.as_mut_ptr().cast::<u8>();
    // SAFETY: the kernel writes at most SIZE bytes into our array.
    let count = unsafe { raw::read(fd, start, SIZE as u32) };
    let size = usize::try_from(count).unwrap_or(0).min(SIZE);
    // SAFETY: `read` initialized the first `size` bytes.
    let data = unsafe { core::slice::from_raw_parts_mut(start, size) };
    qsort_bytes(data);
    seek(fd, 0);
    write(fd, data);
    close(fd);
    72
}
