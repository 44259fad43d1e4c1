//! Sector-addressed storage: the one abstraction every on-disk format in this crate is
//! written against, so the same code runs on the kernel's ATA disks and on host files.

use alloc::vec;
use alloc::vec::Vec;
use core::cell::RefCell;

/// Bytes in one disk sector, the unit of every transfer.
pub const SECTOR_SIZE: usize = 512;

/// One sector's worth of bytes.
pub type Sector = [u8; SECTOR_SIZE];

/// Why a sector transfer failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoError {
    /// The sector number is not below `sector_count()`.
    OutOfRange { sector: u32 },
    /// The device itself reported an error.
    Device,
}

impl core::fmt::Display for IoError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            IoError::OutOfRange { sector } => write!(f, "sector {sector} is past the end of the device"),
            IoError::Device => f.write_str("device error"),
        }
    }
}

impl core::error::Error for IoError {}

/// A device made of numbered 512-byte sectors.
///
/// Methods take `&self` so that a device can be shared: an implementation that needs
/// exclusive access to hardware does its own locking inside.
pub trait BlockDevice {
    fn sector_count(&self) -> u32;
    fn read_sector(&self, sector: u32, buf: &mut Sector) -> Result<(), IoError>;
    fn write_sector(&self, sector: u32, buf: &Sector) -> Result<(), IoError>;
}

/// A window of `sector_count` sectors of another device, starting at `start`: what an MBR
/// partition is. Sector 0 of the partition is sector `start` of the device.
pub struct Partition<'a> {
    device: &'a dyn BlockDevice,
    start: u32,
    sector_count: u32,
}

impl<'a> Partition<'a> {
    /// Fails with `OutOfRange` when the window does not fit inside the device.
    pub fn new(
        device: &'a dyn BlockDevice,
        start: u32,
        sector_count: u32,
    ) -> Result<Self, IoError> {
        match start.checked_add(sector_count) {
            Some(end) if end <= device.sector_count() => Ok(Partition {
                device,
                start,
                sector_count,
            }),
            _ => Err(IoError::OutOfRange {
                sector: start.saturating_add(sector_count),
            }),
        }
    }

    fn device_sector(&self, sector: u32) -> Result<u32, IoError> {
        if sector < self.sector_count {
            Ok(self.start + sector)
        } else {
            Err(IoError::OutOfRange { sector })
        }
    }
}

impl BlockDevice for Partition<'_> {
    fn sector_count(&self) -> u32 {
        self.sector_count
    }

    fn read_sector(&self, sector: u32, buf: &mut Sector) -> Result<(), IoError> {
        self.device.read_sector(self.device_sector(sector)?, buf)
    }

    fn write_sector(&self, sector: u32, buf: &Sector) -> Result<(), IoError> {
        self.device.write_sector(self.device_sector(sector)?, buf)
    }
}

/// A device kept in memory: for tests, and for assembling images before writing them out.
pub struct MemDisk {
    sectors: RefCell<Vec<Sector>>,
}

impl MemDisk {
    /// A zero-filled disk of `sector_count` sectors.
    pub fn new(sector_count: u32) -> Self {
        MemDisk {
            sectors: RefCell::new(vec![[0; SECTOR_SIZE]; sector_count as usize]),
        }
    }

    /// A disk holding `bytes`, zero-padded to whole sectors.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        let sectors = bytes
            .chunks(SECTOR_SIZE)
            .map(|chunk| {
                let mut sector = [0; SECTOR_SIZE];
                sector[..chunk.len()].copy_from_slice(chunk);
                sector
            })
            .collect();
        MemDisk {
            sectors: RefCell::new(sectors),
        }
    }

    /// The whole disk as one byte vector.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.sectors.borrow().concat()
    }
}

impl BlockDevice for MemDisk {
    fn sector_count(&self) -> u32 {
        self.sectors.borrow().len() as u32
    }

    fn read_sector(&self, sector: u32, buf: &mut Sector) -> Result<(), IoError> {
        let sectors = self.sectors.borrow();
        *buf = *sectors
            .get(sector as usize)
            .ok_or(IoError::OutOfRange { sector })?;
        Ok(())
    }

    fn write_sector(&self, sector: u32, buf: &Sector) -> Result<(), IoError> {
        let mut sectors = self.sectors.borrow_mut();
        *sectors
            .get_mut(sector as usize)
            .ok_or(IoError::OutOfRange { sector })? = *buf;
        Ok(())
    }
}

/// Little-endian field access for on-disk structures, which this crate encodes by hand
/// rather than by casting bytes to structs (no `unsafe`, no alignment worries).
pub(crate) fn get_u32(bytes: &[u8], offset: usize) -> u32 {
    u32::from_le_bytes([
        bytes[offset],
        bytes[offset + 1],
        bytes[offset + 2],
        bytes[offset + 3],
    ])
}

pub(crate) fn put_u32(bytes: &mut [u8], offset: usize, value: u32) {
    bytes[offset..offset + 4].copy_from_slice(&value.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_translates_and_bounds_sectors() {
        let disk = MemDisk::new(10);
        let part = Partition::new(&disk, 4, 3).unwrap();
        part.write_sector(2, &[7; SECTOR_SIZE]).unwrap();
        let mut buf = [0; SECTOR_SIZE];
        disk.read_sector(6, &mut buf).unwrap();
        assert_eq!(buf, [7; SECTOR_SIZE]);
        assert_eq!(
            part.read_sector(3, &mut buf),
            Err(IoError::OutOfRange { sector: 3 })
        );
        assert!(Partition::new(&disk, 8, 3).is_err());
        assert!(Partition::new(&disk, u32::MAX, 2).is_err());
    }

    #[test]
    fn mem_disk_round_trips_bytes() {
        let disk = MemDisk::from_bytes(&[1, 2, 3]);
        assert_eq!(disk.sector_count(), 1);
        let bytes = disk.to_bytes();
        assert_eq!(&bytes[..4], &[1, 2, 3, 0]);
        assert_eq!(bytes.len(), SECTOR_SIZE);
    }
}
