//! A full directory and a full disk: `create` returns false (the process is not harmed), and
//! works again once files are removed.
#![no_std]
#![no_main]

use rintos_user::cstr::StrBuf;
use rintos_user::syscall::{create, remove};
use rintos_user::{check, msg};

rintos_user::test_main!(test_main);

/// More names than any directory of the base file system holds.
const NAMES: u32 = 1000;

fn name(index: u32) -> StrBuf<16> {
    StrBuf::format(format_args!("f{index}"))
}

/// Creates files of `size` bytes named f0, f1, ... until `create` fails; returns how many.
fn fill(size: u32) -> u32 {
    (0..NAMES)
        .find(|&index| !create(name(index).as_cstr(), size))
        .unwrap_or(NAMES)
}

fn empty(count: u32) {
    for index in 0..count {
        remove(name(index).as_cstr());
    }
}

fn test_main() {
    let files = fill(0);
    check!(
        files > 0 && files < NAMES,
        "create fails once the directory is full"
    );
    msg!("the directory took {files} empty files");
    empty(files);
    check!(
        create(c"after-dir", 0),
        "create works again after the removes"
    );
    remove(c"after-dir");

    check!(
        !create(c"too-big", 64 * 1024 * 1024),
        "a file larger than the disk is refused"
    );
    let chunks = fill(64 * 1024);
    check!(chunks < files, "create fails once the disk is full");
    msg!("the disk took {chunks} files of 64 kB");
    empty(chunks);
    check!(
        create(c"after-disk", 64 * 1024),
        "create works again after the removes"
    );
    remove(c"after-disk");
}
