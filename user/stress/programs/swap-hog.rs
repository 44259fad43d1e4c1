//! `swap-hog PAGES`: dirties PAGES pages of memory (at most 1024), then exits with 0. Given
//! more than frames and swap hold, the kernel must kill it and nothing else.
#![no_std]
#![no_main]

use rintos_abi::PAGE_SIZE;
use rintos_user::ProcessGlobal;
use rintos_user::entry::Args;

rintos_user::entry!(main);

const MAX_PAGES: usize = 1024;

static MEMORY: ProcessGlobal<[u8; MAX_PAGES * PAGE_SIZE]> =
    ProcessGlobal::new([0; MAX_PAGES * PAGE_SIZE]);

fn main(args: Args) -> i32 {
    let pages: usize = args
        .get(1)
        .and_then(|text| text.to_str().ok()?.parse().ok())
        .unwrap_or(0);
    let mut memory = MEMORY.borrow_mut();
    for page in memory.chunks_mut(PAGE_SIZE).take(pages.min(MAX_PAGES)) {
        page[0] = 1;
        // Not zero anywhere else either: nothing lets the kernel drop the page.
        page[PAGE_SIZE - 1] = 1;
    }
    0
}
