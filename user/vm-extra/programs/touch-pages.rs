//! `touch-pages PAGES [BOARD]`: writes one byte in each of the first PAGES pages of its .bss
//! (at most 512), so that each is a zero-fill fault and then a dirty page of its own. Given
//! a board (see `rintos_vm_extra::holder`), it then raises flag `HELD` and exits once flag
//! `RELEASE` is raised; otherwise it exits at once. Prints nothing unless it fails.
#![no_std]
#![no_main]

use core::hint::black_box;

use rintos_user::abi::PAGE_SIZE;
use rintos_user::entry::Args;
use rintos_user::testlib::set_test_name;
use rintos_user::{ProcessGlobal, fail};
use rintos_vm_extra::board::Board;
use rintos_vm_extra::holder::{HELD, RELEASE};
use rintos_vm_extra::number_arg;

rintos_user::entry!(main);

const MAX_PAGES: usize = 512;

/// Page-aligned, so that the pages touched belong to the array alone.
#[repr(C, align(4096))]
struct Pages([u8; MAX_PAGES * PAGE_SIZE]);

static PAGES: ProcessGlobal<Pages> = ProcessGlobal::new(Pages([0; MAX_PAGES * PAGE_SIZE]));

fn main(args: Args) -> i32 {
    set_test_name("touch-pages");
    let count = number_arg(&args, 1) as usize;
    if count > MAX_PAGES {
        fail!("{} pages asked for, {} at most", count, MAX_PAGES);
    }
    let mut pages = PAGES.borrow_mut();
    for page in pages.0.chunks_mut(PAGE_SIZE).take(count) {
        black_box(page)[0] = 1;
    }
    if let Some(name) = args.get(2) {
        let board = Board::open(name);
        board.raise(HELD);
        board.wait_for(RELEASE);
    }
    0
}
