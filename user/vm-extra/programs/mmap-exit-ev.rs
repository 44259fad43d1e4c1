//! Mapping, then exiting while pages are being evicted. vm-pressure swaps continually, so
//! at any moment some frames are being emptied. In four rounds a child (child-mm-evict)
//! maps a 256 KiB file, writes every page through the mapping and exits without unmapping:
//! some of its dirty pages are then still in memory, and some may be in the middle of being
//! written back to the file by another process's eviction. After each exit the file must
//! hold every byte the child wrote.
#![no_std]
#![no_main]

use rintos_user::abi::PAGE_SIZE;
use rintos_user::cstr::StrBuf;
use rintos_user::syscall::{close, create, exec, open, read, wait};
use rintos_user::{ProcessGlobal, check, fail};
use rintos_vm_extra::board::Board;
use rintos_vm_extra::pattern;

rintos_user::test_main!(test_main);

const FILE_SIZE: usize = 64 * PAGE_SIZE;
const ROUNDS: u32 = 4;

static CONTENTS: ProcessGlobal<[u8; PAGE_SIZE]> = ProcessGlobal::new([0; PAGE_SIZE]);

fn test_main() {
    let stop = Board::create(c"stop", 1);
    check!(create(c"mapped", FILE_SIZE as u32), "create \"mapped\"");
    check!(let pressure = exec(c"vm-pressure stop") => pressure != -1, "exec \"vm-pressure stop\"");
    for round in 1..=ROUNDS {
        let command = StrBuf::<32>::format(format_args!("child-mm-evict {round}"));
        check!(let child = exec(command.as_cstr()) => child != -1, "exec \"{}\"", command);
        check!(wait(child) == 0, "wait for \"{}\"", command);
        check_file(round);
    }
    stop.raise(0);
    check!(
        wait(pressure) == 0,
        "the swapping process read back every page it wrote"
    );
}

/// Checks that "mapped" holds what round `round` wrote.
fn check_file(round: u32) {
    check!(let fd = open(c"mapped") => fd > 1, "round {}: the file holds every byte the child wrote", round);
    let mut contents = CONTENTS.borrow_mut();
    for page in 0..FILE_SIZE / PAGE_SIZE {
        if read(fd, &mut contents[..]) != PAGE_SIZE as i32 {
            fail!("short read of page {}", page);
        }
        if let Some(offset) = pattern::first_mismatch(round, page * PAGE_SIZE, &contents[..]) {
            fail!(
                "byte {} of the file is not from round {}",
                page * PAGE_SIZE + offset,
                round
            );
        }
    }
    close(fd);
}
