use std::path::{Path, PathBuf};

use anyhow::{Context, bail, ensure};
use rintos_fs::mbr::{self, PartitionEntry, PartitionTable};
use rintos_fs::ustar::{self, ArchiveWriter};
use rintos_fs::{BlockDevice, SECTOR_SIZE};

use super::FileDisk;

pub const SECTORS_PER_MB: u32 = 1024 * 1024 / SECTOR_SIZE as u32;
/// Sectors per cylinder of the 16-head, 63-sector geometry Pintos uses; disks are padded to
/// whole cylinders, as the classic `pintos` script does.
pub const CYLINDER_SECTORS: u32 = 16 * 63;

/// Sectors in `mb` megabytes (fractions allowed), rounded up.
pub fn mb_to_sectors(mb: f64) -> anyhow::Result<u32> {
    ensure!(
        mb.is_finite() && mb > 0.0,
        "a size must be a positive number of megabytes, not {mb}"
    );
    let sectors = (mb * f64::from(SECTORS_PER_MB)).ceil();
    ensure!(
        sectors < f64::from(u32::MAX / 2),
        "{mb} MB is too large for a disk"
    );
    Ok(sectors as u32)
}

/// What a partition starts out holding.
#[derive(Debug, Clone, PartialEq)]
pub enum Contents {
    /// Zeros.
    Empty { sectors: u32 },
    /// A copy of a host file, padded to whole sectors.
    File(PathBuf),
}

#[derive(Debug, Clone, PartialEq)]
pub struct PartitionSpec {
    /// The partition type, one of [`rintos_fs::mbr::kind`].
    pub kind: u8,
    pub contents: Contents,
}

/// Creates the disk image `path`: an MBR, then the partitions packed from sector 1 in the
/// given order, the whole padded to full cylinders. Returns the partition table written.
pub fn create_disk(path: &Path, partitions: &[PartitionSpec]) -> anyhow::Result<PartitionTable> {
    ensure!(partitions.len() <= 4, "an MBR holds at most 4 partitions");
    let mut contents = Vec::new();
    let mut table = PartitionTable::default();
    let mut next_sector = 1u32;
    for (slot, spec) in table.entries.iter_mut().zip(partitions) {
        let (data, sector_count) = match &spec.contents {
            Contents::Empty { sectors } => (None, *sectors),
            Contents::File(file) => {
                let data =
                    std::fs::read(file).with_context(|| format!("{}: read", file.display()))?;
                ensure!(
                    !data.is_empty(),
                    "{}: partition contents must not be empty",
                    file.display()
                );
                let sectors = u32::try_from(data.len().div_ceil(SECTOR_SIZE))
                    .context("partition file too large")?;
                (Some(data), sectors)
            }
        };
        ensure!(sector_count > 0, "partitions must not be empty");
        let start = next_sector;
        next_sector = start.checked_add(sector_count).context("disk too large")?;
        *slot = Some(PartitionEntry {
            bootable: spec.kind == mbr::kind::KERNEL,
            kind: spec.kind,
            start,
            sector_count,
        });
        contents.push((start, data));
    }
    let disk = FileDisk::create(path, next_sector.next_multiple_of(CYLINDER_SECTORS))?;
    for (start, data) in contents
        .into_iter()
        .filter_map(|(start, data)| Some((start, data?)))
    {
        for (index, chunk) in data.chunks(SECTOR_SIZE).enumerate() {
            let mut sector = [0; SECTOR_SIZE];
            sector[..chunk.len()].copy_from_slice(chunk);
            disk.write_sector(start + index as u32, &sector)?;
        }
    }
    table.write(&disk)?;
    Ok(table)
}

/// Creates `path` as an empty disk without a partition table, padded to full cylinders.
pub fn create_blank_disk(path: &Path, sectors: u32) -> anyhow::Result<()> {
    FileDisk::create(path, sectors.next_multiple_of(CYLINDER_SECTORS))?;
    Ok(())
}

/// Sectors a scratch partition needs to carry `put_sizes` files in and `gets` files out
/// (one megabyte per file got, like the classic script).
pub fn scratch_sectors_for(put_sizes: &[u64], gets: usize) -> u32 {
    let headers_and_data: u64 = put_sizes
        .iter()
        .map(|&size| 1 + size.div_ceil(SECTOR_SIZE as u64))
        .sum();
    const END_MARKER: u64 = 2;
    let total = headers_and_data + END_MARKER + gets as u64 * u64::from(SECTORS_PER_MB);
    u32::try_from(total).unwrap_or(u32::MAX)
}

/// Writes `files` (name, contents) as a ustar archive at the start of `device`.
pub fn write_archive(device: &dyn BlockDevice, files: &[(String, Vec<u8>)]) -> anyhow::Result<()> {
    let mut writer = ArchiveWriter::new();
    for (name, data) in files {
        let size = u32::try_from(data.len()).with_context(|| format!("{name}: too large"))?;
        writer
            .append(device, name, size, |offset, chunk| {
                chunk.copy_from_slice(&data[offset as usize..][..chunk.len()]);
                Ok(())
            })
            .map_err(|error| {
                anyhow::anyhow!("putting '{name}' on the scratch partition: {error}")
            })?;
    }
    Ok(())
}

/// The files of the ustar archive on the scratch partition of the disk image `path`.
pub fn read_archive_files(path: &Path) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let disk = FileDisk::open(path)?;
    let table = PartitionTable::read(&disk).with_context(|| format!("{}", path.display()))?;
    let Some((_, entry)) = table.find(mbr::kind::SCRATCH) else {
        bail!("{}: no scratch partition", path.display());
    };
    let scratch = entry.open(&disk)?;
    ustar::read_files(&scratch)
        .map_err(|error| anyhow::anyhow!("reading the scratch partition: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_megabytes() {
        assert_eq!(mb_to_sectors(2.0).unwrap(), 4096);
        assert_eq!(mb_to_sectors(0.5).unwrap(), 1024);
        assert_eq!(mb_to_sectors(0.0001).unwrap(), 1);
        assert!(mb_to_sectors(0.0).is_err());
        assert!(mb_to_sectors(-1.0).is_err());
        assert!(mb_to_sectors(f64::NAN).is_err());
        assert!(mb_to_sectors(1e12).is_err());
    }

    #[test]
    fn partitions_are_packed_in_order_and_the_disk_padded_to_cylinders() {
        let dir = tempfile::tempdir().unwrap();
        let kernel = dir.path().join("kernel");
        std::fs::write(&kernel, vec![0x7F; 1000]).unwrap();
        let path = dir.path().join("disk");
        let specs = [
            PartitionSpec {
                kind: mbr::kind::KERNEL,
                contents: Contents::File(kernel),
            },
            PartitionSpec {
                kind: mbr::kind::FILESYS,
                contents: Contents::Empty { sectors: 4096 },
            },
            PartitionSpec {
                kind: mbr::kind::SWAP,
                contents: Contents::Empty { sectors: 8192 },
            },
        ];
        let table = create_disk(&path, &specs).unwrap();
        let expected = [
            (mbr::kind::KERNEL, 1, 2, true),
            (mbr::kind::FILESYS, 3, 4096, false),
            (mbr::kind::SWAP, 4099, 8192, false),
        ];
        for (entry, (kind, start, sector_count, bootable)) in table.entries.iter().zip(expected) {
            assert_eq!(
                *entry,
                Some(PartitionEntry {
                    bootable,
                    kind,
                    start,
                    sector_count
                })
            );
        }
        assert_eq!(table.entries[3], None);

        let disk = FileDisk::open(&path).unwrap();
        assert_eq!(disk.sector_count(), 13 * CYLINDER_SECTORS);
        assert_eq!(PartitionTable::read(&disk).unwrap(), table);
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[512..1512], &[0x7F; 1000][..]);
        assert!(bytes[1512..].iter().all(|&b| b == 0));
    }

    #[test]
    fn archives_round_trip_through_the_scratch_partition() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("disk");
        let files = vec![
            ("args-none".to_string(), vec![1; 3000]),
            ("sample.txt".to_string(), b"hello".to_vec()),
        ];
        let sectors = scratch_sectors_for(&[3000, 5], 0);
        assert_eq!(sectors, 1 + 6 + 1 + 1 + 2);
        let table = create_disk(
            &path,
            &[PartitionSpec {
                kind: mbr::kind::SCRATCH,
                contents: Contents::Empty { sectors },
            }],
        )
        .unwrap();
        let disk = FileDisk::open(&path).unwrap();
        write_archive(&table.entries[0].unwrap().open(&disk).unwrap(), &files).unwrap();
        assert_eq!(read_archive_files(&path).unwrap(), files);
    }

    #[test]
    fn a_scratch_partition_too_small_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("disk");
        let table = create_disk(
            &path,
            &[PartitionSpec {
                kind: mbr::kind::SCRATCH,
                contents: Contents::Empty { sectors: 3 },
            }],
        )
        .unwrap();
        let disk = FileDisk::open(&path).unwrap();
        let error = write_archive(
            &table.entries[0].unwrap().open(&disk).unwrap(),
            &[("big".into(), vec![0; 600])],
        )
        .unwrap_err();
        assert!(error.to_string().contains("out of space"), "{error}");
    }
}
