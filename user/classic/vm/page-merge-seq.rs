//! Sorts about 1 MiB of ARC4 noise in 16 chunks, each by a child-sort process run one after
//! the other on the file "buffer", then merges the chunks and verifies the result.
#![no_std]
#![no_main]

use rintos_user::common::merge::{Histogram, init, merge, verify};
use rintos_user::syscall::{close, create, exec, open, read, wait, write};
use rintos_user::testlib::set_quiet;
use rintos_user::{ProcessGlobal, check, msg};

rintos_user::test_main!(test_main);

/// The largest file of an old Pintos file system (126 direct sectors).
const CHUNK_SIZE: usize = 126 * 512;
const CHUNK_COUNT: usize = 16;
const DATA_SIZE: usize = CHUNK_SIZE * CHUNK_COUNT;

static DATA: ProcessGlobal<[u8; DATA_SIZE]> = ProcessGlobal::new([0; DATA_SIZE]);
static SORTED: ProcessGlobal<[u8; DATA_SIZE]> = ProcessGlobal::new([0; DATA_SIZE]);
static HISTOGRAM: ProcessGlobal<Histogram> = ProcessGlobal::new([0; 256]);

fn test_main() {
    let mut data = DATA.borrow_mut();
    let mut sorted = SORTED.borrow_mut();
    let mut histogram = HISTOGRAM.borrow_mut();

    init(&mut data[..], &mut histogram);
    sort_chunks(&mut data[..]);
    merge(&data[..], &mut sorted[..], CHUNK_SIZE);
    verify(&sorted[..], &histogram);
}

/// Has child-sort sort each chunk in turn, through the file "buffer".
fn sort_chunks(data: &mut [u8]) {
    create(c"buffer", CHUNK_SIZE as u32);
    for (index, chunk) in data.chunks_mut(CHUNK_SIZE).enumerate() {
        msg!("sort chunk {}", index);

        set_quiet(true);
        check!(let fd = open(c"buffer") => fd > 1, "open \"buffer\"");
        write(fd, chunk);
        close(fd);

        check!(let child = exec(c"child-sort buffer") => child != -1, "exec \"child-sort buffer\"");
        check!(wait(child) == 123, "wait for child-sort");

        check!(let fd = open(c"buffer") => fd > 1, "open \"buffer\"");
        read(fd, chunk);
        close(fd);
        set_quiet(false);
    }
}
