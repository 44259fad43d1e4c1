//! `munmap` of an id that names no mapping of this process is harmless: ids never given
//! out, negative ones, and the id of a mapping already removed. A real mapping survives all
//! of them.
#![no_std]
#![no_main]

use rintos_user::samples::{VM_SAMPLE, map_sample};
use rintos_user::syscall::{close, munmap};
use rintos_user::{check, msg};

rintos_user::test_main!(test_main);

const MAPPING: usize = 0x1000_0000;

fn test_main() {
    let (fd, map) = map_sample(MAPPING);
    for unknown in [map + 1, map + 1000, -1, i32::MIN, i32::MAX] {
        munmap(unknown);
    }
    msg!("munmap of ids never given out");
    // SAFETY: the kernel mapped the file's page there, and no munmap above removed it.
    let text = unsafe { core::slice::from_raw_parts(MAPPING as *const u8, VM_SAMPLE.len()) };
    check!(text == VM_SAMPLE, "the mapping still holds the file");
    munmap(map);
    munmap(map);
    msg!("munmap of a removed mapping's id");
    close(fd);
}
