//! The host side of Rintos: the `pintos`-style runner, disk images, building the guest, and
//! the test suite's catalogue and checker. The binaries (`rintos`, `rintos-disk`), the test
//! suite (`tests/suite.rs`) and the benchmark are thin front ends over this library.
pub mod cbuild;
pub mod disk;
pub mod runner;
pub mod stress;
pub mod suite;
