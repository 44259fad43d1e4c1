//! The memory-management decisions of Rintos that need no hardware: which pages and swap
//! slots are free, which frame the clock hand evicts (and which a walk larger than memory
//! gives up first), when to clean pages ahead of need, which process may build its working set
//! when memory is overcommitted, and which page-state transitions are
//! legal. The kernel wraps these in locks and feeds them real page-table bits; the host runs
//! their unit tests.
#![no_std]

pub mod bitmap;
pub mod clock;
pub mod frame_state;
pub mod magazine;
pub mod pool;
pub mod sequence;
pub mod token;
pub mod watermark;
