//! Writes 1 KiB of PRNG data to "data", then has ten child-syn-read processes read it
//! concurrently, a byte at a time, each comparing it with the same PRNG stream.
#![no_std]
#![no_main]

use rintos_user::syscall::{Pid, close, create, open, write};
use rintos_user::testlib::{exec_children, wait_children};
use rintos_user::{ProcessGlobal, check, msg, random};

rintos_user::test_main!(test_main);

static DATA: ProcessGlobal<[u8; 1024]> = ProcessGlobal::new([0; 1024]);

fn test_main() {
    let mut data = DATA.borrow_mut();
    check!(create(c"data", data.len() as u32), "create \"data\"");
    check!(let fd = open(c"data") => fd > 1, "open \"data\"");
    random::fill_bytes(&mut data[..]);
    check!(write(fd, &data[..]) > 0, "write \"data\"");
    msg!("close \"data\"");
    close(fd);

    let mut children: [Pid; 10] = [0; 10];
    exec_children("child-syn-read", &mut children);
    wait_children(&children);
}
