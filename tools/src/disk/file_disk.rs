use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::Path;

use anyhow::{Context, bail};
use rintos_fs::{BlockDevice, IoError, SECTOR_SIZE, Sector};

/// A raw disk image file as a block device.
pub struct FileDisk {
    file: File,
    sector_count: u32,
}

impl FileDisk {
    /// Opens an existing image for reading and writing; its length must be whole sectors.
    pub fn open(path: &Path) -> anyhow::Result<FileDisk> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .with_context(|| format!("{}: open", path.display()))?;
        let len = file.metadata()?.len();
        if len == 0 || len % SECTOR_SIZE as u64 != 0 {
            bail!(
                "{}: a disk image must be a non-zero multiple of {SECTOR_SIZE} bytes (it is {len})",
                path.display()
            );
        }
        let sector_count = u32::try_from(len / SECTOR_SIZE as u64)
            .with_context(|| format!("{}: too large", path.display()))?;
        Ok(FileDisk { file, sector_count })
    }

    /// Creates (or truncates) `path` as `sector_count` zero sectors. The file is sparse, so
    /// a large empty disk costs nothing until written.
    pub fn create(path: &Path, sector_count: u32) -> anyhow::Result<FileDisk> {
        let file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .with_context(|| format!("{}: create", path.display()))?;
        file.set_len(u64::from(sector_count) * SECTOR_SIZE as u64)?;
        Ok(FileDisk { file, sector_count })
    }

    fn offset(&self, sector: u32) -> Result<u64, IoError> {
        if sector < self.sector_count {
            Ok(u64::from(sector) * SECTOR_SIZE as u64)
        } else {
            Err(IoError::OutOfRange { sector })
        }
    }
}

impl BlockDevice for FileDisk {
    fn sector_count(&self) -> u32 {
        self.sector_count
    }

    fn read_sector(&self, sector: u32, buf: &mut Sector) -> Result<(), IoError> {
        self.file
            .read_exact_at(buf, self.offset(sector)?)
            .map_err(|_| IoError::Device)
    }

    fn write_sector(&self, sector: u32, buf: &Sector) -> Result<(), IoError> {
        self.file
            .write_all_at(buf, self.offset(sector)?)
            .map_err(|_| IoError::Device)
    }
}
