//! Helper of share-text and share-exit: a program with a large text segment, which the
//! kernel should hold in memory once however many processes run it. Its text holds a
//! 384 KiB table in read-only data; the linker puts read-only data in the text segment.
//!
//! `big-text SEED ROUNDS`: digests its whole text segment as it reads it from memory (which
//! faults in every text page) and checks the table; raises flag SEED on board "ready" and
//! waits for flag 0 of board "go". Then, ROUNDS times, rewrites 128 KiB of private data
//! (under a small user pool this evicts text pages, its own and other processes') and
//! digests its text again, which must give the same digest. Exits with the digest, which
//! the parent compares with the digest of the text segment in the file.
#![no_std]
#![no_main]

use core::hint::black_box;

use rintos_user::entry::Args;
use rintos_user::syscall::open;
use rintos_user::testlib::set_test_name;
use rintos_user::{ProcessGlobal, fail};
use rintos_vm_extra::board::Board;
use rintos_vm_extra::text::{TextDigest, TextSegment};
use rintos_vm_extra::{number_arg, pattern, text_arg};

rintos_user::entry!(main);

const TABLE_WORDS: usize = 96 * 1024;
/// A table computed at build time: read-only data, so part of the text segment.
static TABLE: [u32; TABLE_WORDS] = table();

const fn table() -> [u32; TABLE_WORDS] {
    let mut table = [0; TABLE_WORDS];
    let mut index = 0;
    while index < TABLE_WORDS {
        table[index] = entry(index);
        index += 1;
    }
    table
}

/// Entry `index` of the table (a Weyl sequence: distinct and cheap at build time).
const fn entry(index: usize) -> u32 {
    (index as u32).wrapping_mul(0x9E37_79B9) ^ 0x5A5A_5A5A
}

const PRIVATE_SIZE: usize = 128 * 1024;
static PRIVATE: ProcessGlobal<[u8; PRIVATE_SIZE]> = ProcessGlobal::new([0; PRIVATE_SIZE]);

fn main(args: Args) -> i32 {
    set_test_name("big-text");
    let seed = number_arg(&args, 1);
    let fd = open(text_arg(&args, 0));
    if fd < 2 {
        fail!("open own executable");
    }
    let text = TextSegment::of_file(fd);
    let digest = digest_in_memory(&text, seed);
    if let Some(index) = (0..TABLE_WORDS).find(|&index| black_box(&TABLE)[index] != entry(index)) {
        fail!("table entry {} is wrong", index);
    }

    Board::open(c"ready").raise(seed);
    Board::open(c"go").wait_for(0);
    let mut private = PRIVATE.borrow_mut();
    for round in 0..number_arg(&args, 2) {
        pattern::fill(round, 0, black_box(&mut private[..]));
        check_digest(digest, digest_in_memory(&text, seed));
    }
    digest
}

/// The digest of our own text segment as it is in memory.
fn digest_in_memory(text: &TextSegment, seed: u32) -> i32 {
    // SAFETY: `text` is the read-only segment of the executable this process runs, which
    // the kernel maps for the whole life of the process and which nothing writes.
    let bytes = unsafe { core::slice::from_raw_parts(text.address as *const u8, text.file_bytes) };
    let mut digest = TextDigest::new(seed);
    digest.update(black_box(bytes));
    digest.finish()
}

/// Fails if the text's digest changed from `first` to `again`.
fn check_digest(first: i32, again: i32) {
    if again != first {
        fail!("the text changed: digest {:#x}, then {:#x}", first, again);
    }
}
