//! Helper of mmap-exit-ev: `child-mm-evict ROUND` maps "mapped", writes round ROUND's
//! pattern to every byte through the mapping, and exits with 0 at once, without unmapping
//! or closing anything.
#![no_std]
#![no_main]

use rintos_user::entry::Args;
use rintos_user::fail;
use rintos_user::syscall::{MAP_FAILED, filesize, mmap, open};
use rintos_user::testlib::set_test_name;
use rintos_vm_extra::{number_arg, pattern};

rintos_user::entry!(main);

const MAPPING: usize = 0x1000_0000;

fn main(args: Args) -> i32 {
    set_test_name("child-mm-evict");
    let round = number_arg(&args, 1);
    let fd = open(c"mapped");
    if fd < 2 || mmap(fd, MAPPING) == MAP_FAILED {
        fail!("open and mmap \"mapped\"");
    }
    // SAFETY: the kernel just mapped the whole file there for us alone.
    let mapped =
        unsafe { core::slice::from_raw_parts_mut(MAPPING as *mut u8, filesize(fd) as usize) };
    pattern::fill(round, 0, mapped);
    0
}
