//! The classic PC master boot record: sector 0 of a disk, whose last 66 bytes are a table of
//! four partitions and the signature 0x55 0xAA. Pintos gives each role of a disk (kernel,
//! file system, scratch, swap) its own partition type.

use crate::block::{BlockDevice, IoError, Partition, SECTOR_SIZE, Sector, get_u32, put_u32};

/// Partition types Pintos assigns to its roles.
pub mod kind {
    pub const KERNEL: u8 = 0x20;
    pub const FILESYS: u8 = 0x21;
    pub const SCRATCH: u8 = 0x22;
    pub const SWAP: u8 = 0x23;
}

/// How Pintos describes a partition type when it lists a disk.
pub fn describe(kind: u8) -> &'static str {
    match kind {
        kind::KERNEL => "Pintos OS kernel",
        kind::FILESYS => "Pintos file system",
        kind::SCRATCH => "Pintos scratch",
        kind::SWAP => "Pintos swap",
        _ => "unknown",
    }
}

const TABLE_OFFSET: usize = 446;
const ENTRY_SIZE: usize = 16;
const SIGNATURE_OFFSET: usize = 510;
const SIGNATURE: [u8; 2] = [0x55, 0xAA];
const BOOTABLE: u8 = 0x80;

/// The CHS geometry written into the legacy address fields, the one Pintos uses.
const HEADS: u32 = 16;
const SECTORS_PER_TRACK: u32 = 63;

/// One used slot of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionEntry {
    pub bootable: bool,
    pub kind: u8,
    /// First sector (LBA) of the partition on the disk.
    pub start: u32,
    pub sector_count: u32,
}

/// Why a partition table was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MbrError {
    /// Sector 0 does not end in 0x55 0xAA.
    NoSignature,
    /// The boot flag of entry `index` is neither 0x00 nor 0x80.
    BadBootFlag {
        index: usize,
    },
    /// Entry `index` is empty, covers sector 0, or runs past the end of the disk.
    OutOfRange {
        index: usize,
    },
    /// Entries `first` and `second` share sectors.
    Overlap {
        first: usize,
        second: usize,
    },
    Io(IoError),
}

impl From<IoError> for MbrError {
    fn from(error: IoError) -> Self {
        MbrError::Io(error)
    }
}

impl core::fmt::Display for MbrError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            MbrError::NoSignature => f.write_str("no partition table (missing 0x55AA signature)"),
            MbrError::BadBootFlag { index } => write!(f, "partition {} has a bad boot flag", index + 1),
            MbrError::OutOfRange { index } => write!(f, "partition {} lies outside the disk", index + 1),
            MbrError::Overlap { first, second } => write!(f, "partitions {} and {} overlap", first + 1, second + 1),
            MbrError::Io(error) => write!(f, "{error}"),
        }
    }
}

impl core::error::Error for MbrError {}

/// The four slots of an MBR partition table (`None` = unused, type byte 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PartitionTable {
    pub entries: [Option<PartitionEntry>; 4],
}

impl PartitionTable {
    /// Reads and validates the table in sector 0 of `disk`.
    pub fn read(disk: &dyn BlockDevice) -> Result<Self, MbrError> {
        let mut sector = [0; SECTOR_SIZE];
        disk.read_sector(0, &mut sector)?;
        Self::parse(&sector, disk.sector_count())
    }

    /// Validates the table in `sector` against a disk of `disk_sectors` sectors.
    pub fn parse(sector: &Sector, disk_sectors: u32) -> Result<Self, MbrError> {
        if sector[SIGNATURE_OFFSET..] != SIGNATURE {
            return Err(MbrError::NoSignature);
        }
        let mut table = PartitionTable::default();
        for (index, slot) in table.entries.iter_mut().enumerate() {
            let raw = &sector[TABLE_OFFSET + index * ENTRY_SIZE..][..ENTRY_SIZE];
            let bootable = match raw[0] {
                0 => false,
                BOOTABLE => true,
                _ => return Err(MbrError::BadBootFlag { index }),
            };
            if raw[4] == 0 {
                continue;
            }
            let entry = PartitionEntry {
                bootable,
                kind: raw[4],
                start: get_u32(raw, 8),
                sector_count: get_u32(raw, 12),
            };
            let fits = entry
                .start
                .checked_add(entry.sector_count)
                .is_some_and(|end| end <= disk_sectors);
            if entry.start == 0 || entry.sector_count == 0 || !fits {
                return Err(MbrError::OutOfRange { index });
            }
            *slot = Some(entry);
        }
        table.check_overlaps()?;
        Ok(table)
    }

    fn check_overlaps(&self) -> Result<(), MbrError> {
        for (first, a) in self.entries.iter().enumerate() {
            for (second, b) in self.entries.iter().enumerate().skip(first + 1) {
                if let (Some(a), Some(b)) = (a, b)
                    && a.start < b.start + b.sector_count
                    && b.start < a.start + a.sector_count
                {
                    return Err(MbrError::Overlap { first, second });
                }
            }
        }
        Ok(())
    }

    /// Writes the table and the signature into `sector`, leaving the boot code bytes alone.
    pub fn encode_into(&self, sector: &mut Sector) {
        for (index, slot) in self.entries.iter().enumerate() {
            let raw = &mut sector[TABLE_OFFSET + index * ENTRY_SIZE..][..ENTRY_SIZE];
            raw.fill(0);
            if let Some(entry) = slot {
                raw[0] = if entry.bootable { BOOTABLE } else { 0 };
                raw[1..4].copy_from_slice(&chs(entry.start));
                raw[4] = entry.kind;
                raw[5..8].copy_from_slice(&chs(entry
                    .start
                    .saturating_add(entry.sector_count)
                    .saturating_sub(1)));
                put_u32(raw, 8, entry.start);
                put_u32(raw, 12, entry.sector_count);
            }
        }
        sector[SIGNATURE_OFFSET..].copy_from_slice(&SIGNATURE);
    }

    /// Rewrites sector 0 of `disk` with this table, keeping its boot code.
    pub fn write(&self, disk: &dyn BlockDevice) -> Result<(), IoError> {
        let mut sector = [0; SECTOR_SIZE];
        disk.read_sector(0, &mut sector)?;
        self.encode_into(&mut sector);
        disk.write_sector(0, &sector)
    }

    /// The first partition of type `kind` (Pintos gives each role to the first match), with
    /// its slot index (0 = the disk's first partition, e.g. "hda1").
    pub fn find(&self, kind: u8) -> Option<(usize, PartitionEntry)> {
        self.entries
            .iter()
            .enumerate()
            .find_map(|(index, slot)| slot.filter(|e| e.kind == kind).map(|e| (index, e)))
    }
}

impl PartitionEntry {
    /// This partition of `disk` as a device of its own.
    pub fn open<'a>(&self, disk: &'a dyn BlockDevice) -> Result<Partition<'a>, IoError> {
        Partition::new(disk, self.start, self.sector_count)
    }
}

/// The legacy cylinder/head/sector address of `lba`, saturated at the largest CHS value
/// for disks too big for it (modern readers, Pintos included, only use the LBA fields).
fn chs(lba: u32) -> [u8; 3] {
    let cylinder = lba / (HEADS * SECTORS_PER_TRACK);
    if cylinder > 1023 {
        return [0xFE, 0xFF, 0xFF];
    }
    let head = (lba / SECTORS_PER_TRACK) % HEADS;
    let sector = lba % SECTORS_PER_TRACK + 1;
    [
        head as u8,
        sector as u8 | ((cylinder >> 2) & 0xC0) as u8,
        cylinder as u8,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::MemDisk;
    use crate::test_support::XorShift;

    fn entry(kind: u8, start: u32, sector_count: u32) -> Option<PartitionEntry> {
        Some(PartitionEntry {
            bootable: false,
            kind,
            start,
            sector_count,
        })
    }

    #[test]
    fn table_round_trips_through_a_disk() {
        let disk = MemDisk::new(100);
        let table = PartitionTable {
            entries: [
                entry(kind::KERNEL, 1, 10),
                entry(kind::FILESYS, 11, 40),
                None,
                entry(kind::SWAP, 51, 49),
            ],
        };
        table.write(&disk).unwrap();
        assert_eq!(PartitionTable::read(&disk).unwrap(), table);
        assert_eq!(table.find(kind::SWAP), Some((3, table.entries[3].unwrap())));
        assert_eq!(table.find(kind::SCRATCH), None);
        let mut raw = [0; SECTOR_SIZE];
        disk.read_sector(0, &mut raw).unwrap();
        assert_eq!(&raw[510..], &[0x55, 0xAA]);
        assert_eq!(raw[446 + 16 + 4], 0x21);
        assert_eq!(get_u32(&raw, 446 + 16 + 8), 11);
        assert_eq!(get_u32(&raw, 446 + 16 + 12), 40);
    }

    #[test]
    fn chs_addresses_follow_the_pintos_geometry() {
        assert_eq!(chs(0), [0, 1, 0]);
        assert_eq!(chs(63), [1, 1, 0]);
        assert_eq!(chs(16 * 63), [0, 1, 1]);
        assert_eq!(chs(u32::MAX), [0xFE, 0xFF, 0xFF]);
    }

    fn parse_with(
        entries: [Option<PartitionEntry>; 4],
        disk_sectors: u32,
    ) -> Result<PartitionTable, MbrError> {
        let mut sector = [0; SECTOR_SIZE];
        PartitionTable { entries }.encode_into(&mut sector);
        PartitionTable::parse(&sector, disk_sectors)
    }

    #[test]
    fn bad_tables_are_errors() {
        assert_eq!(
            PartitionTable::parse(&[0; SECTOR_SIZE], 10),
            Err(MbrError::NoSignature)
        );
        assert_eq!(
            parse_with([None, entry(0x21, 5, 10), None, None], 14),
            Err(MbrError::OutOfRange { index: 1 })
        );
        assert_eq!(
            parse_with([entry(0x21, 0, 10), None, None, None], 100),
            Err(MbrError::OutOfRange { index: 0 })
        );
        assert_eq!(
            parse_with([entry(0x21, u32::MAX, 10), None, None, None], 100),
            Err(MbrError::OutOfRange { index: 0 })
        );
        assert_eq!(
            parse_with([entry(0x21, 1, 10), None, entry(0x22, 10, 5), None], 100),
            Err(MbrError::Overlap {
                first: 0,
                second: 2
            })
        );
        let mut sector = [0; SECTOR_SIZE];
        PartitionTable::default().encode_into(&mut sector);
        sector[446 + 32] = 0x12;
        assert_eq!(
            PartitionTable::parse(&sector, 100),
            Err(MbrError::BadBootFlag { index: 2 })
        );
    }

    #[test]
    fn random_sectors_never_panic() {
        let mut rng = XorShift::new(0x2545_F491);
        for _ in 0..2000 {
            let mut sector = [0; SECTOR_SIZE];
            for byte in sector[TABLE_OFFSET..].iter_mut() {
                *byte = rng.next() as u8;
            }
            sector[510] = 0x55;
            sector[511] = 0xAA;
            let _ = PartitionTable::parse(&sector, rng.below(5000));
        }
    }
}
