//! After munmap the mapped address must be unmapped again: reading it kills the process.
#![no_std]
#![no_main]

use rintos_user::fail;
use rintos_user::fault::read_word;
use rintos_user::samples::map_sample;
use rintos_user::syscall::munmap;

rintos_user::test_main!(test_main);

const MAPPING: usize = 0x1000_0000;

fn test_main() {
    let (_fd, map) = map_sample(MAPPING);

    munmap(map);

    // SAFETY: only reads; the address is meant to be unmapped by now.
    fail!(
        "unmapped memory is readable ({})",
        unsafe { read_word(MAPPING) } as i32
    );
}
