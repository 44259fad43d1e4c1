//! A mapped page written back while a `write` changes another byte of the same disk sector
//! (the catalogue case boots with `--smp=2`). `write` of less than a sector reads the
//! sector, changes it and writes it back; if the page's write-back fell between that read
//! and that write, the sector would go back to the page's old bytes. Round after round this
//! process maps the file, finds byte 0 as it wrote it back in the last round, writes the
//! next value and unmaps (writing it back), while `rmw-writer` keeps writing byte 1.
#![no_std]
#![no_main]

use rintos_user::syscall::{close, create, exec, mmap, munmap, open, read, wait};
use rintos_user::{check, fail};

rintos_user::test_main!(test_main);

const MAPPING: usize = 0x1000_0000;
const ROUNDS: u32 = 300;

fn test_main() {
    check!(create(c"rmw.bin", 4096), "create \"rmw.bin\"");
    check!(let fd = open(c"rmw.bin") => fd > 1, "open \"rmw.bin\"");
    check!(let writer = exec(c"rmw-writer") => writer != -1, "exec \"rmw-writer\"");
    for round in 1..=ROUNDS {
        let mapping = mmap(fd, MAPPING);
        if mapping == -1 {
            fail!("mmap \"rmw.bin\" in round {round}");
        }
        let byte = MAPPING as *mut u8;
        // SAFETY: the mapping covers the file's page at MAPPING; only this thread touches it.
        let found = unsafe { byte.read_volatile() };
        if found != (round - 1) as u8 {
            fail!("round {round}: byte 0 is {found}, not {} as written back in round {}", (round - 1) as u8, round - 1);
        }
        // SAFETY: as above.
        unsafe { byte.write_volatile(round as u8) };
        munmap(mapping);
    }
    check!(wait(writer) == 0, "rmw-writer wrote byte 1 while {} write-backs of byte 0 went on", ROUNDS);
    let mut first = [0u8; 1];
    check!(read(fd, &mut first) == 1 && first[0] == ROUNDS as u8, "the file keeps the last value mapped");
    close(fd);
}
