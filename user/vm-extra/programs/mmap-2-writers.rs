//! Two processes map the same file and write it at the same time, each its own page, on
//! two CPUs (the catalogue case boots with `--smp=2`): each mapping writes back only its
//! dirty page, so the file ends up with both.
#![no_std]
#![no_main]

use rintos_user::abi::PAGE_SIZE;
use rintos_user::check;
use rintos_user::syscall::{close, create, exec, open, read, wait};
use rintos_vm_extra::pattern;

rintos_user::test_main!(test_main);

fn test_main() {
    check!(create(c"shared.bin", 2 * PAGE_SIZE as u32), "create \"shared.bin\"");
    check!(let first = exec(c"mmap-writer 0") => first != -1, "exec \"mmap-writer 0\"");
    check!(let second = exec(c"mmap-writer 1") => second != -1, "exec \"mmap-writer 1\"");
    check!(wait(first) == 0 && wait(second) == 0, "both writers mapped, wrote and unmapped the file");
    check!(let fd = open(c"shared.bin") => fd > 1, "open \"shared.bin\"");
    let mut page = [0u8; PAGE_SIZE];
    for index in 0..2u32 {
        check!(read(fd, &mut page) == PAGE_SIZE as i32, "read page {}", index);
        check!(
            pattern::first_mismatch(index + 1, 0, &page).is_none(),
            "page {} holds what its writer wrote",
            index
        );
    }
    close(fd);
}
