//! Has ten child-syn-wrt processes write their 512-byte slices of a PRNG stream (seed 0)
//! into "stuff" concurrently, then reads the file back and compares.
#![no_std]
#![no_main]

use rintos_user::syscall::{Pid, create, open, read};
use rintos_user::testlib::{compare_bytes, exec_children, wait_children};
use rintos_user::{ProcessGlobal, check, random};

rintos_user::test_main!(test_main);

const SIZE: usize = 10 * 512;
static READ_BACK: ProcessGlobal<[u8; SIZE]> = ProcessGlobal::new([0; SIZE]);
static EXPECTED: ProcessGlobal<[u8; SIZE]> = ProcessGlobal::new([0; SIZE]);

fn test_main() {
    let mut read_back = READ_BACK.borrow_mut();
    let mut expected = EXPECTED.borrow_mut();

    check!(create(c"stuff", SIZE as u32), "create \"stuff\"");

    let mut children: [Pid; 10] = [0; 10];
    exec_children("child-syn-wrt", &mut children);
    wait_children(&children);

    check!(let fd = open(c"stuff") => fd > 1, "open \"stuff\"");
    check!(read(fd, &mut read_back[..]) > 0, "read \"stuff\"");
    random::fill_bytes(&mut expected[..]);
    compare_bytes(&read_back[..], &expected[..], 0, c"stuff");
}
