//! Sums a 16 KiB table of its read-only data, which comes in page by page from the
//! executable as it is read, and exits with 0 if the sum is right, 1 if not. A page of the
//! table that the disk cannot read must kill it, never reach it as zeros.
#![no_std]
#![no_main]

rintos_user::entry!(main);

const WORDS: usize = 4096;

static TABLE: [u32; WORDS] = {
    let mut table = [0; WORDS];
    let mut index = 0;
    while index < WORDS {
        table[index] = index as u32 + 1;
        index += 1;
    }
    table
};

fn main(_: rintos_user::entry::Args) -> i32 {
    let table = core::hint::black_box(&TABLE);
    let sum: u64 = table.iter().map(|&word| u64::from(word)).sum();
    i32::from(sum != (WORDS as u64) * (WORDS as u64 + 1) / 2)
}
