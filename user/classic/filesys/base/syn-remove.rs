//! A removed file must stay usable through a descriptor opened before the removal.
#![no_std]
#![no_main]

use rintos_user::syscall::{close, create, open, read, remove, seek, write};
use rintos_user::testlib::compare_bytes;
use rintos_user::{ProcessGlobal, check, msg, random};

rintos_user::test_main!(test_main);

static WRITTEN: ProcessGlobal<[u8; 1234]> = ProcessGlobal::new([0; 1234]);
static READ_BACK: ProcessGlobal<[u8; 1234]> = ProcessGlobal::new([0; 1234]);

fn test_main() {
    let mut written = WRITTEN.borrow_mut();
    let mut read_back = READ_BACK.borrow_mut();

    check!(
        create(c"deleteme", written.len() as u32),
        "create \"deleteme\""
    );
    check!(let fd = open(c"deleteme") => fd > 1, "open \"deleteme\"");
    check!(remove(c"deleteme"), "remove \"deleteme\"");
    random::fill_bytes(&mut written[..]);
    check!(write(fd, &written[..]) > 0, "write \"deleteme\"");
    msg!("seek \"deleteme\" to 0");
    seek(fd, 0);
    check!(read(fd, &mut read_back[..]) > 0, "read \"deleteme\"");
    compare_bytes(&read_back[..], &written[..], 0, c"deleteme");
    msg!("close \"deleteme\"");
    close(fd);
}
