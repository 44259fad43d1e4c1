use std::path::Path;

use anyhow::{Context, anyhow, bail};
use rintos_fs::mbr::{self, MbrError, PartitionTable};
use rintos_fs::{BlockDevice, FileSys, FsError, Partition};

use super::FileDisk;

/// Where the file system lies inside an image file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilesysLocation {
    /// The partition in slot `index` (0 = the first) of the image's MBR.
    Partition {
        index: usize,
        start: u32,
        sector_count: u32,
    },
    /// The image has no partition table: it is one file-system partition by itself (what
    /// `--filesys=FILE` takes).
    WholeImage { sector_count: u32 },
}

/// A Rintos file system inside an image file, mounted on the host.
pub struct FilesysImage {
    disk: FileDisk,
    location: FilesysLocation,
    fs: FileSys,
}

impl FilesysImage {
    /// Mounts the file system of `path`: the first file-system partition of a disk with an
    /// MBR, or the whole image.
    pub fn open(path: &Path) -> anyhow::Result<FilesysImage> {
        let (disk, location) = locate(path)?;
        let fs = FileSys::mount(&device(&disk, location)).map_err(|error| fs_error(path, error))?;
        Ok(FilesysImage { disk, location, fs })
    }

    /// Formats the file system of `path` (found as for [`FilesysImage::open`]), erasing
    /// every file, and mounts it.
    pub fn format(path: &Path) -> anyhow::Result<FilesysImage> {
        let (disk, location) = locate(path)?;
        let fs =
            FileSys::format(&device(&disk, location)).map_err(|error| fs_error(path, error))?;
        Ok(FilesysImage { disk, location, fs })
    }

    pub fn location(&self) -> FilesysLocation {
        self.location
    }

    /// (name, size) of every file.
    pub fn list(&self) -> Vec<(String, u32)> {
        self.fs.list()
    }

    pub fn free_bytes(&self) -> u64 {
        u64::from(self.fs.free_sectors()) * rintos_fs::SECTOR_SIZE as u64
    }

    /// Creates `name` holding `data`; with `replace`, an existing file of that name is
    /// removed first.
    pub fn put(&mut self, name: &str, data: &[u8], replace: bool) -> anyhow::Result<()> {
        let size = u32::try_from(data.len()).with_context(|| format!("{name}: too large"))?;
        if replace && self.fs.lookup(name).is_ok() {
            self.remove(name)?;
        }
        let device = device(&self.disk, self.location);
        let inode = self
            .fs
            .create(&device, name, size)
            .map_err(|error| anyhow!("{name}: {error}"))?;
        inode
            .write_at(&device, 0, data)
            .map_err(|error| anyhow!("{name}: {error}"))?;
        Ok(())
    }

    /// The contents of `name`.
    pub fn get(&self, name: &str) -> anyhow::Result<Vec<u8>> {
        let inode = self
            .fs
            .lookup(name)
            .map_err(|error| anyhow!("{name}: {error}"))?;
        let mut data = vec![0; inode.length() as usize];
        inode
            .read_at(&device(&self.disk, self.location), 0, &mut data)
            .map_err(|error| anyhow!("{name}: {error}"))?;
        Ok(data)
    }

    /// Deletes `name` and frees its sectors.
    pub fn remove(&mut self, name: &str) -> anyhow::Result<()> {
        let device = device(&self.disk, self.location);
        let inode = self
            .fs
            .unlink(&device, name)
            .map_err(|error| anyhow!("{name}: {error}"))?;
        self.fs
            .release(&device, inode)
            .map_err(|error| anyhow!("{name}: {error}"))
    }
}

fn fs_error(path: &Path, error: FsError) -> anyhow::Error {
    anyhow!("{}: {error}", path.display())
}

fn locate(path: &Path) -> anyhow::Result<(FileDisk, FilesysLocation)> {
    let disk = FileDisk::open(path)?;
    let location = match PartitionTable::read(&disk) {
        Ok(table) => match table.find(mbr::kind::FILESYS) {
            Some((index, entry)) => FilesysLocation::Partition {
                index,
                start: entry.start,
                sector_count: entry.sector_count,
            },
            None => bail!(
                "{}: the disk has no file-system partition (type 0x21)",
                path.display()
            ),
        },
        Err(MbrError::NoSignature) => FilesysLocation::WholeImage {
            sector_count: disk.sector_count(),
        },
        Err(error) => bail!("{}: bad partition table: {error}", path.display()),
    };
    Ok((disk, location))
}

fn device(disk: &FileDisk, location: FilesysLocation) -> Partition<'_> {
    let (start, sector_count) = match location {
        FilesysLocation::Partition {
            start,
            sector_count,
            ..
        } => (start, sector_count),
        FilesysLocation::WholeImage { sector_count } => (0, sector_count),
    };
    Partition::new(disk, start, sector_count).expect("the location was validated against this disk")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disk::{Contents, PartitionSpec, create_disk};

    fn disk_with_filesys(dir: &Path) -> std::path::PathBuf {
        let path = dir.join("disk");
        let specs = [
            PartitionSpec {
                kind: mbr::kind::SCRATCH,
                contents: Contents::Empty { sectors: 10 },
            },
            PartitionSpec {
                kind: mbr::kind::FILESYS,
                contents: Contents::Empty { sectors: 2048 },
            },
        ];
        create_disk(&path, &specs).unwrap();
        path
    }

    #[test]
    fn put_and_get_round_trip_on_a_partitioned_disk() {
        let dir = tempfile::tempdir().unwrap();
        let path = disk_with_filesys(dir.path());
        assert!(
            FilesysImage::open(&path).is_err(),
            "an unformatted partition must not mount"
        );
        let mut image = FilesysImage::format(&path).unwrap();
        assert_eq!(
            image.location(),
            FilesysLocation::Partition {
                index: 1,
                start: 11,
                sector_count: 2048
            }
        );
        let data: Vec<u8> = (0..5000u32).map(|i| (i * 7) as u8).collect();
        image.put("data", &data, false).unwrap();
        assert!(image.put("data", b"x", false).is_err());

        let mut image = FilesysImage::open(&path).unwrap();
        assert_eq!(image.get("data").unwrap(), data);
        image.put("data", b"replaced", true).unwrap();
        assert_eq!(
            FilesysImage::open(&path).unwrap().get("data").unwrap(),
            b"replaced"
        );
        image.remove("data").unwrap();
        assert!(image.get("data").is_err());
        assert!(FilesysImage::open(&path).unwrap().list().is_empty());
    }

    #[test]
    fn an_image_without_a_partition_table_is_one_file_system() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fs.img");
        FileDisk::create(&path, 1000).unwrap();
        let mut image = FilesysImage::format(&path).unwrap();
        assert_eq!(
            image.location(),
            FilesysLocation::WholeImage { sector_count: 1000 }
        );
        image.put("a", b"abc", false).unwrap();
        assert_eq!(
            FilesysImage::open(&path).unwrap().list(),
            vec![("a".to_string(), 3)]
        );
    }

    #[test]
    fn a_disk_without_a_file_system_partition_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("disk");
        create_disk(
            &path,
            &[PartitionSpec {
                kind: mbr::kind::SWAP,
                contents: Contents::Empty { sectors: 8 },
            }],
        )
        .unwrap();
        let error = FilesysImage::open(&path).err().unwrap();
        assert!(
            error.to_string().contains("no file-system partition"),
            "{error}"
        );
    }
}
