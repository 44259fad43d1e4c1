//! What the virtual-memory tests of this package share: the kernel's counters ([`kernel`]),
//! flags that processes raise for each other through a file ([`board`]), a process that
//! holds a known number of pages ([`holder`]), the text segment of an executable and its
//! digest ([`text`]), and the data patterns the tests write and check ([`pattern`]).
#![no_std]

pub mod board;
pub mod holder;
pub mod kernel;
pub mod pattern;
pub mod text;

use core::ffi::CStr;

use rintos_user::cstr::atoi;
use rintos_user::entry::Args;
use rintos_user::fail;

/// Argument `index` as a number; fails the test if it is missing or negative.
pub fn number_arg(args: &Args, index: usize) -> u32 {
    let Some(text) = args.get(index) else {
        fail!("argument {} missing", index)
    };
    u32::try_from(atoi(text)).unwrap_or_else(|_| fail!("argument {} is negative", index))
}

/// Argument `index` as a C string; fails the test if it is missing.
pub fn text_arg(args: &Args, index: usize) -> &'static CStr {
    args.get(index)
        .unwrap_or_else(|| fail!("argument {} missing", index))
}
