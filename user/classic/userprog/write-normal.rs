//! Creates a file and writes the sample text into it.
#![no_std]
#![no_main]

use rintos_user::samples::USERPROG_SAMPLE;
use rintos_user::syscall::{create, open, write};
use rintos_user::{check, fail};

rintos_user::test_main!(test_main);

fn test_main() {
    check!(
        create(c"test.txt", USERPROG_SAMPLE.len() as u32),
        "create \"test.txt\""
    );
    check!(let fd = open(c"test.txt") => fd > 1, "open \"test.txt\"");
    let count = write(fd, USERPROG_SAMPLE);
    if usize::try_from(count) != Ok(USERPROG_SAMPLE.len()) {
        fail!(
            "write() returned {} instead of {}",
            count,
            USERPROG_SAMPLE.len()
        );
    }
}
