//! The host side of Rintos: the `pintos`-style runner, disk images, building the guest, the
//! test suite's catalogue and checker, and the one path that runs and judges a case. The
//! binaries (`rintos`, `rintos-disk`), the test suite (`tests/suite.rs`) and the benchmark
//! are thin front ends over this library.
//!
//! Layers, each using only those before it: `quote`, `disk` and `cbuild`; `runner` (options,
//! guest build, QEMU); `suite` (catalogue, checker, report); `cases` (run and judge, the
//! worker pool, the runner's own cases); `stress` and `gdb_layout`.
pub mod cases;
pub mod cbuild;
pub mod disk;
pub mod gdb_layout;
pub mod quote;
pub mod runner;
pub mod stress;
pub mod suite;
