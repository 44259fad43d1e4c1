//! `swap-verify PAGES`: fills PAGES pages (at most 1024) with a pattern of each page's own,
//! more than memory holds, then reads them all back. Exits with 0 if every page came back
//! as written and 1 if one did not; the kernel kills it if a page was lost.
#![no_std]
#![no_main]

use rintos_abi::PAGE_SIZE;
use rintos_user::ProcessGlobal;
use rintos_user::entry::Args;

rintos_user::entry!(main);

const MAX_PAGES: usize = 1024;

static MEMORY: ProcessGlobal<[u8; MAX_PAGES * PAGE_SIZE]> =
    ProcessGlobal::new([0; MAX_PAGES * PAGE_SIZE]);

fn pattern(page: usize, offset: usize) -> u8 {
    (page * 7 + offset / 512) as u8 | 1
}

fn main(args: Args) -> i32 {
    let pages: usize = args
        .get(1)
        .and_then(|text| text.to_str().ok()?.parse().ok())
        .unwrap_or(0);
    let mut memory = MEMORY.borrow_mut();
    let pages = pages.min(MAX_PAGES);
    for (index, page) in memory.chunks_mut(PAGE_SIZE).take(pages).enumerate() {
        for offset in (0..PAGE_SIZE).step_by(512) {
            page[offset] = pattern(index, offset);
        }
    }
    let intact = memory.chunks(PAGE_SIZE).take(pages).enumerate().all(|(index, page)| {
        (0..PAGE_SIZE)
            .step_by(512)
            .all(|offset| page[offset] == pattern(index, offset))
    });
    i32::from(!intact)
}
