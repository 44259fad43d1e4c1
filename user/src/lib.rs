//! The Rintos user runtime: what the classic Pintos user library (`src/lib/user/*`) and test
//! library (`src/tests/lib.c`, `src/tests/main.c`) give C programs, for programs written in
//! Rust.
//!
//! A program is one file (under `classic/` or `examples/` of this package, or `programs/` of
//! another user package) that names its entry point with
//! [`entry!`] (a plain `main(args) -> status`) or [`test_main!`] (a classic test body,
//! wrapped in `(name) begin` / `(name) end`). Everything else is here:
//!
//! * [`syscall`]: the system calls, made exactly like `lib/user/syscall.c`;
//! * [`console`]: `print!`/`println!`, buffered in 64-byte chunks like the user `printf`,
//!   and [`console::print_line`], a whole line in one `write`;
//! * [`clock`]: the time-stamp counter and its rate (Rintos has no clock call);
//! * [`testlib`]: `msg!`, `fail!`, `check!`, file verification and child helpers;
//! * [`random`]: the process's Pintos PRNG;
//! * [`boundary`]: memory laid out across page boundaries for the boundary tests;
//! * [`fault`]: deliberate bad memory accesses;
//! * [`samples`]: the sample texts the tests compare files against.
//!
//! A user process has exactly one thread and nothing interrupts it in user mode, which
//! is what makes [`ProcessGlobal`] sound.
#![no_std]

pub mod boundary;
pub mod clock;
pub mod common;
pub mod console;
pub mod cstr;
pub mod entry;
pub mod fault;
mod global;
mod panic;
pub mod random;
pub mod samples;
pub mod syscall;
pub mod testlib;

pub use global::ProcessGlobal;
pub use rintos_abi as abi;
pub use rintos_algo as algo;
