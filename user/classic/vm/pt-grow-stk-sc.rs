//! Writes the sample text to a file and reads it back into the middle of a 64 KiB stack
//! array that nothing has touched yet: the stack must grow inside the `read` system call.
#![no_std]
#![no_main]

use core::mem::MaybeUninit;

use rintos_user::check;
use rintos_user::samples::VM_SAMPLE;
use rintos_user::syscall::{close, create, open, raw, write};

rintos_user::test_main!(test_main);

fn test_main() {
    let length = VM_SAMPLE.len();
    // Uninitialized on purpose: its pages are first touched by the kernel.
    let mut untouched = MaybeUninit::<[u8; 65536]>::uninit();

    check!(
        create(c"sample.txt", length as u32),
        "create \"sample.txt\""
    );
    check!(let fd = open(c"sample.txt") => fd > 1, "open \"sample.txt\"");
    check!(
        write(fd, VM_SAMPLE) == length as i32,
        "write \"sample.txt\""
    );
    close(fd);

    check!(let fd = open(c"sample.txt") => fd > 1, "2nd open \"sample.txt\"");
    let middle = untouched.as_mut_ptr().cast::<u8>().wrapping_add(32768);
    // SAFETY: `middle` has 32 KiB of our own array after it.
    check!(
        unsafe { raw::read(fd, middle, length as u32) } == length as i32,
        "read \"sample.txt\""
    );
    // SAFETY: the read above initialized these `length` bytes.
    let read_back = unsafe { core::slice::from_raw_parts(middle, length) };
    check!(
        read_back == VM_SAMPLE,
        "compare written data against read data"
    );
    close(fd);
}
