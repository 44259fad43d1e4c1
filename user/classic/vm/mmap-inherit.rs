//! Maps a file and runs child-inherit, which writes where the mapping is: mappings are not
//! inherited, so the child must be killed and the parent's data stay unchanged.
#![no_std]
#![no_main]

use rintos_user::samples::VM_SAMPLE;
use rintos_user::syscall::{MAP_FAILED, exec, mmap, open, wait};
use rintos_user::testlib::set_quiet;
use rintos_user::{check, fail};

rintos_user::test_main!(test_main);

const MAPPING: usize = 0x5432_1000;

fn test_main() {
    check!(let fd = open(c"sample.txt") => fd > 1, "open \"sample.txt\"");
    check!(mmap(fd, MAPPING) != MAP_FAILED, "mmap \"sample.txt\"");
    // SAFETY: the kernel just mapped the file there; nothing else in this process
    // refers to it.
    let mapped = unsafe { core::slice::from_raw_parts(MAPPING as *const u8, VM_SAMPLE.len()) };
    if mapped != VM_SAMPLE {
        fail!("read of mmap'd file reported bad data");
    }

    check!(let child = exec(c"child-inherit") => child != -1, "exec \"child-inherit\"");
    set_quiet(true);
    check!(wait(child) == -1, "wait for child (should return -1)");
    set_quiet(false);

    check!(
        mapped == VM_SAMPLE,
        "checking that mmap'd file still has same data"
    );
}
