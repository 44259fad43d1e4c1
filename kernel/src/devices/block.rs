//! Block devices: whole disks and the partitions in their MBR tables, each with a role
//! that Pintos assigns by partition type (0x20 kernel, 0x21 file system, 0x22 scratch,
//! 0x23 swap) unless the command line names a device (`-filesys=hdb1`).
//!
//! Reads and writes are futures (they await the IDE interrupt); `read_blocking` and the
//! `rintos_fs::BlockDevice` implementation run them with `block_on` for code that is
//! naturally sequential, such as the file system.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use conquer_once::spin::OnceCell;
use rintos_fs::block::{IoError, Sector};
use rintos_fs::mbr::{self, PartitionTable};

use super::ata::{self, Disk, DiskError, SECTOR_SIZE};
use crate::arch::locked_u64::LockedU64;
use crate::task::block_on;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Kernel,
    Filesys,
    Scratch,
    Swap,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Kernel, Role::Filesys, Role::Scratch, Role::Swap];

    pub fn name(self) -> &'static str {
        match self {
            Role::Kernel => "kernel",
            Role::Filesys => "filesys",
            Role::Scratch => "scratch",
            Role::Swap => "swap",
        }
    }

    fn partition_type(self) -> u8 {
        match self {
            Role::Kernel => 0x20,
            Role::Filesys => 0x21,
            Role::Scratch => 0x22,
            Role::Swap => 0x23,
        }
    }
}

pub struct BlockDevice {
    pub name: String,
    disk: &'static Disk,
    first_sector: u32,
    sectors: u32,
    partition_type: Option<u8>,
    reads: LockedU64,
    writes: LockedU64,
}

struct Devices {
    all: Vec<&'static BlockDevice>,
    roles: [Option<&'static BlockDevice>; 4],
}

static DEVICES: OnceCell<Devices> = OnceCell::uninit();

impl BlockDevice {
    pub fn sectors(&self) -> u32 {
        self.sectors
    }

    fn check_range(&self, sector: u32, bytes: usize) {
        let count = (bytes / SECTOR_SIZE) as u32;
        assert!(bytes % SECTOR_SIZE == 0, "{}: transfer of {bytes} bytes is not whole sectors", self.name);
        assert!(
            sector.checked_add(count).is_some_and(|end| end <= self.sectors),
            "{}: sectors {sector}+{count} beyond the device's {}",
            self.name,
            self.sectors
        );
    }

    /// Reads whole sectors starting at `sector` into `buffer`.
    pub async fn read(&self, sector: u32, buffer: &mut [u8]) -> Result<(), DiskError> {
        self.check_range(sector, buffer.len());
        self.reads.fetch_add((buffer.len() / SECTOR_SIZE) as u64);
        self.disk.read(self.first_sector + sector, buffer).await
    }

    /// Writes whole sectors starting at `sector` from `buffer`.
    pub async fn write(&self, sector: u32, buffer: &[u8]) -> Result<(), DiskError> {
        self.check_range(sector, buffer.len());
        self.writes.fetch_add((buffer.len() / SECTOR_SIZE) as u64);
        self.disk.write(self.first_sector + sector, buffer).await
    }

    /// Sectors read and written so far.
    pub fn counts(&self) -> (u64, u64) {
        (self.reads.load(), self.writes.load())
    }
}

impl rintos_fs::block::BlockDevice for BlockDevice {
    fn sector_count(&self) -> u32 {
        self.sectors
    }

    fn read_sector(&self, sector: u32, buf: &mut Sector) -> Result<(), IoError> {
        if sector >= self.sectors {
            return Err(IoError::OutOfRange { sector });
        }
        block_on(self.read(sector, buf)).map_err(|_| IoError::Device)
    }

    fn write_sector(&self, sector: u32, buf: &Sector) -> Result<(), IoError> {
        if sector >= self.sectors {
            return Err(IoError::OutOfRange { sector });
        }
        block_on(self.write(sector, buf)).map_err(|_| IoError::Device)
    }
}

fn leak(device: BlockDevice) -> &'static BlockDevice {
    Box::leak(Box::new(device))
}

/// What [`init`] found, in the order it found it (the boot messages).
pub enum Found {
    /// An IDE channel with disks, and how it moves their data.
    Channel(&'static str, ata::Mode),
    /// A whole disk.
    Disk(&'static Disk),
    /// A disk on a DMA channel that does not do DMA itself: its requests go by PIO.
    PioDisk(&'static Disk),
    /// A partition of the disk found last, with its MBR type.
    Partition(&'static BlockDevice, u8),
    /// A disk whose partition table could not be read.
    BadPartitionTable(&'static Disk, mbr::MbrError),
    /// The device that plays a role (the kernel partition is not mentioned).
    Role(Role, &'static BlockDevice),
}

/// Finds the disks, reads their partition tables and assigns the roles. `overrides` come
/// from `-filesys=`, `-scratch=`, `-swap=` (device names such as "hdb" or "hda2"); `dma`
/// lets the disks use bus-master DMA where they can (`-ata=pio` says no).
pub fn init(overrides: &[(Role, &str)], dma: bool) -> Vec<Found> {
    let mut found = Vec::new();
    let mut all = Vec::new();
    let channels = ata::probe(dma);
    for channel in &channels {
        if !channel.disks.is_empty() {
            found.push(Found::Channel(channel.channel, channel.mode));
        }
    }
    for (disk, mode) in channels.into_iter().flat_map(|channel| {
        let mode = channel.mode;
        channel.disks.into_iter().map(move |disk| (disk, mode))
    }) {
        let disk: &'static Disk = Box::leak(Box::new(disk));
        found.push(Found::Disk(disk));
        if matches!(mode, ata::Mode::Dma(_)) && !disk.dma {
            found.push(Found::PioDisk(disk));
        }
        let whole = leak(BlockDevice {
            name: String::from(disk.name),
            disk,
            first_sector: 0,
            sectors: disk.sectors,
            partition_type: None,
            reads: LockedU64::new(0),
            writes: LockedU64::new(0),
        });
        all.push(whole);
        let table = match PartitionTable::read(whole) {
            Ok(table) => table,
            Err(mbr::MbrError::NoSignature) => continue,
            Err(error) => {
                found.push(Found::BadPartitionTable(disk, error));
                continue;
            }
        };
        for (index, entry) in table.entries.iter().enumerate() {
            let Some(entry) = entry else { continue };
            let partition = leak(BlockDevice {
                name: format!("{}{}", disk.name, index + 1),
                disk,
                first_sector: entry.start,
                sectors: entry.sector_count,
                partition_type: Some(entry.kind),
                reads: LockedU64::new(0),
                writes: LockedU64::new(0),
            });
            found.push(Found::Partition(partition, entry.kind));
            all.push(partition);
        }
    }
    let mut roles = [None; 4];
    for (slot, role) in Role::ALL.into_iter().enumerate() {
        let chosen = match overrides.iter().find(|(r, _)| *r == role) {
            Some((_, name)) => all.iter().copied().find(|device| device.name == *name),
            None => all.iter().copied().find(|device| device.partition_type == Some(role.partition_type())),
        };
        if let Some(device) = chosen {
            if role != Role::Kernel {
                found.push(Found::Role(role, device));
            }
            roles[slot] = Some(device);
        }
    }
    DEVICES.init_once(|| Devices { all, roles });
    found
}

/// The device that plays `role`, if any.
pub fn by_role(role: Role) -> Option<&'static BlockDevice> {
    let slot = Role::ALL.iter().position(|&r| r == role)?;
    DEVICES.get()?.roles[slot]
}

/// The device called `name` ("hdc", "hda3"), if any.
pub fn by_name(name: &str) -> Option<&'static BlockDevice> {
    DEVICES.get()?.all.iter().copied().find(|device| device.name == name)
}

/// Every device with a role, with that role (for the statistics lines).
pub fn with_roles() -> impl Iterator<Item = (Role, &'static BlockDevice)> {
    Role::ALL.into_iter().filter_map(|role| by_role(role).map(|device| (role, device)))
}
