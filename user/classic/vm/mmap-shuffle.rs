//! Creates a 128 KiB file, maps it and shuffles its bytes ten times through the mapping,
//! printing checksums (the same as page-shuffle's).
#![no_std]
#![no_main]

use rintos_user::algo::cksum;
use rintos_user::syscall::{MAP_FAILED, create, mmap, open};
use rintos_user::{check, msg, random};

rintos_user::test_main!(test_main);

const MAPPING: usize = 0x1000_0000;
const SIZE: usize = 128 * 1024;

fn test_main() {
    check!(create(c"buffer", SIZE as u32), "create \"buffer\"");
    check!(let fd = open(c"buffer") => fd > 1, "open \"buffer\"");
    check!(mmap(fd, MAPPING) != MAP_FAILED, "mmap \"buffer\"");
    // SAFETY: the kernel just mapped the file there; nothing else refers to it.
    let buffer = unsafe { core::slice::from_raw_parts_mut(MAPPING as *mut u8, SIZE) };

    for (index, byte) in buffer.iter_mut().enumerate() {
        *byte = (index * 257) as u8;
    }
    msg!("init: cksum={}", cksum(buffer));

    for round in 0..10 {
        random::shuffle(buffer);
        msg!("shuffle {}: cksum={}", round, cksum(buffer));
    }
}
