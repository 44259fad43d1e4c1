//! Mappings at the highest legal address: the stack region (the top 8 MiB of user space,
//! from `STACK_BOTTOM` up) is reserved for stack growth, so a mapping must end at or below
//! `STACK_BOTTOM`. A two-page file maps when it ends exactly there and not one page
//! higher; a one-page file maps in the last page below the stack region, not in its first
//! page.
#![no_std]
#![no_main]

use rintos_user::abi::{PAGE_SIZE, STACK_BOTTOM};
use rintos_user::check;
use rintos_user::samples::VM_SAMPLE;
use rintos_user::syscall::{MAP_FAILED, close, mmap, munmap, open};

rintos_user::test_main!(test_main);

const LIMIT: usize = STACK_BOTTOM as usize;
/// The size of `zeros`: two pages, the second partly past the end of the file.
const ZEROS_SIZE: usize = 6144;

fn test_main() {
    check!(let zeros = open(c"zeros") => zeros > 1, "open \"zeros\"");
    check!(
        mmap(zeros, LIMIT - PAGE_SIZE) == MAP_FAILED,
        "try to mmap \"zeros\" (2 pages) one page below the stack region"
    );
    let highest = LIMIT - 2 * PAGE_SIZE;
    check!(let map = mmap(zeros, highest) => map != MAP_FAILED, "mmap \"zeros\" two pages below the stack region");
    // SAFETY: the kernel just mapped both pages of the file there for us alone.
    let mapped = unsafe { core::slice::from_raw_parts_mut(highest as *mut u8, 2 * PAGE_SIZE) };
    check!(
        mapped.iter().all(|&byte| byte == 0),
        "the mapping reads as zeros up to the stack region"
    );
    mapped[ZEROS_SIZE - 1] = 1;
    check!(
        mapped[ZEROS_SIZE - 1] == 1,
        "the mapping's last byte of the file is writable"
    );
    munmap(map);
    close(zeros);

    check!(let sample = open(c"sample.txt") => sample > 1, "open \"sample.txt\"");
    check!(
        mmap(sample, LIMIT) == MAP_FAILED,
        "try to mmap \"sample.txt\" at the bottom of the stack region"
    );
    let highest = LIMIT - PAGE_SIZE;
    check!(let map = mmap(sample, highest) => map != MAP_FAILED, "mmap \"sample.txt\" in the last page below the stack region");
    // SAFETY: the kernel just mapped the file's page there for us alone.
    let text = unsafe { core::slice::from_raw_parts(highest as *const u8, VM_SAMPLE.len()) };
    check!(text == VM_SAMPLE, "the mapping holds the file");
    munmap(map);
    close(sample);
}
