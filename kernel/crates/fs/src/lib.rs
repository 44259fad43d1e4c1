//! Every on-disk format of Rintos, shared by the kernel (i686, `no_std`) and the host tools,
//! so that the runner writes exactly what the kernel reads:
//!
//! - [`block`]: the [`BlockDevice`] trait, partitions as devices, an in-memory disk;
//! - [`mbr`]: the partition table in sector 0;
//! - [`ustar`]: the archives on the scratch partition (`-p` / `-g` files);
//! - [`fs`]: the Pintos base file system;
//! - [`archive`]: extracting an archive into the file system and appending files to one.
//!
//! Every parser validates what it reads: a corrupt image yields an error, never a panic.
#![no_std]

extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod archive;
pub mod block;
pub mod fs;
pub mod mbr;
pub mod ustar;

pub use block::{BlockDevice, IoError, MemDisk, Partition, SECTOR_SIZE, Sector};
pub use fs::{FileSys, FsError, Inode, NAME_MAX};

#[cfg(test)]
mod tests;

/// A tiny deterministic random generator for the fuzzing tests.
#[cfg(test)]
mod test_support {
    pub struct XorShift(u32);

    impl XorShift {
        pub fn new(seed: u32) -> Self {
            XorShift(seed.max(1))
        }

        pub fn next(&mut self) -> u32 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 17;
            self.0 ^= self.0 << 5;
            self.0
        }

        pub fn below(&mut self, bound: u32) -> u32 {
            self.next() % bound
        }
    }
}
