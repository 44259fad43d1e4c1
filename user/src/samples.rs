//! The texts the tests write, map and compare against. The same files are put on the
//! test disk as `sample.txt`, so a program and its data file always agree.
//!
//! In the classic sources the text is a `char sample[]`, whose `sizeof` counts the
//! terminating NUL. Tests that use `sizeof sample - 1` compare the text; the few that use
//! `sizeof sample` (mmap-exit and its child) use the `_WITH_NUL` arrays.

use crate::check;
use crate::syscall::{MAP_FAILED, MapId, mmap, open};

/// How the classic mmap tests begin: `open "sample.txt"`, then `mmap "sample.txt"` at
/// `address`, each checked. Returns the descriptor and the mapping id.
pub fn map_sample(address: usize) -> (i32, MapId) {
    check!(let fd = open(c"sample.txt") => fd > 1, "open \"sample.txt\"");
    check!(let map = mmap(fd, address) => map != MAP_FAILED, "mmap \"sample.txt\"");
    (fd, map)
}

/// `src/tests/userprog/sample.txt`: 239 bytes.
pub const USERPROG_SAMPLE: &[u8; 239] = include_bytes!("../data/userprog/sample.txt");

/// `src/tests/vm/sample.txt`: 794 bytes.
pub const VM_SAMPLE: &[u8; 794] = include_bytes!("../data/vm/sample.txt");

/// [`VM_SAMPLE`] followed by a NUL: the classic `sizeof sample` bytes (795).
pub const VM_SAMPLE_WITH_NUL: [u8; 795] = with_nul(VM_SAMPLE);

const fn with_nul<const N: usize>(text: &[u8]) -> [u8; N] {
    assert!(
        text.len() + 1 == N,
        "the array must hold the text and one NUL"
    );
    let mut bytes = [0u8; N];
    let mut index = 0;
    while index < text.len() {
        bytes[index] = text[index];
        index += 1;
    }
    bytes
}
