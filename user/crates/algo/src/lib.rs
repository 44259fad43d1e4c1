//! The small algorithms the classic Pintos tests compute with, so that a Rintos test program
//! prints exactly the numbers the classic one prints:
//!
//! * [`Arc4`]: the ARC4 stream cipher (`tests/arc4.c`), used to fill buffers with
//!   reproducible noise;
//! * [`cksum`]: the checksum of the POSIX `cksum` utility (`tests/cksum.c`);
//! * [`Prng`] and [`shuffle`]: the user-space random generator (`lib/random.c`) and the
//!   Fisher-Yates shuffle of `tests/lib.c`.
//!
//! Everything is `no_std` and allocation-free: the same code runs in the user programs
//! and in the host unit tests below, which check it against values the classic suite
//! prints.
#![no_std]

mod arc4;
mod cksum;
mod prng;

pub use arc4::Arc4;
pub use cksum::cksum;
pub use prng::{Prng, shuffle};
