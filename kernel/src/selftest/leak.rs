//! A deliberate leak of every resource the leak check counts except threads and processes:
//! the runner case `leak-check` shows that the check catches each one. (Not in the catalogue:
//! it passes by failing.)

use alloc::boxed::Box;

use crate::{fs, memory, vm};

use super::msg;

pub fn everything() {
    let frame = memory::allocate_user_frame();
    let page = memory::allocate_kernel_pages(1);
    let slot = vm::swap::allocate();
    let bytes = Box::leak(Box::new([0u8; 100]));
    let file = fs::create("leak", 0).and_then(|()| fs::open("leak"));
    msg!(
        "leak",
        "frame {}, kernel page {}, swap slot {}, {} heap bytes, open file {}: leaked",
        frame.is_some(),
        page.is_some(),
        slot.is_some(),
        bytes.len(),
        file.is_ok()
    );
    core::mem::forget(file);
}
