//! Host tests of the file system and of moving files through archives.

use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;

use crate::archive::{self, ArchiveError};
use crate::block::{BlockDevice, MemDisk, SECTOR_SIZE};
use crate::fs::{DIRECTORY_CAPACITY, FileSys, FsError};
use crate::test_support::XorShift;
use crate::ustar::{self, ArchiveWriter, Member};

/// Sectors of a fresh file system that metadata takes: superblock, one free-map sector,
/// the directory.
const METADATA: u32 = 1 + 1 + crate::fs::DIRECTORY_SECTORS;

fn formatted(sectors: u32) -> (MemDisk, FileSys) {
    let disk = MemDisk::new(sectors);
    let fs = FileSys::format(&disk).unwrap();
    (disk, fs)
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn read_all(disk: &MemDisk, fs: &FileSys, name: &str) -> Vec<u8> {
    let inode = fs.lookup(name).unwrap();
    let mut data = vec![0xEE; inode.length() as usize];
    assert_eq!(inode.read_at(disk, 0, &mut data).unwrap(), data.len());
    data
}

#[test]
fn a_fresh_file_system_is_empty() {
    let (disk, fs) = formatted(4096);
    assert!(fs.list().is_empty());
    assert_eq!(fs.free_sectors(), 4096 - METADATA);
    assert_eq!(fs.directory_capacity(), DIRECTORY_CAPACITY);
    let mounted = FileSys::mount(&disk).unwrap();
    assert_eq!(mounted.free_sectors(), 4096 - METADATA);
}

#[test]
fn files_are_created_zero_filled_even_over_old_data() {
    let disk = MemDisk::from_bytes(&vec![0xAB; 200 * SECTOR_SIZE]);
    let mut fs = FileSys::format(&disk).unwrap();
    let inode = fs.create(&disk, "zeros", 1500).unwrap();
    assert_eq!(inode.length(), 1500);
    assert_eq!(read_all(&disk, &fs, "zeros"), vec![0; 1500]);
}

#[test]
fn reads_and_writes_at_any_offset_stop_at_the_end_of_the_file() {
    let (disk, mut fs) = formatted(200);
    let inode = fs.create(&disk, "data", 1300).unwrap();
    let data = pattern(1300, 5);
    // Unaligned pieces that cross sector boundaries.
    for (start, end) in [(0, 100), (100, 700), (700, 1024), (1024, 1300)] {
        assert_eq!(
            inode
                .write_at(&disk, start as u32, &data[start..end])
                .unwrap(),
            end - start
        );
    }
    assert_eq!(read_all(&disk, &fs, "data"), data);

    let mut buf = [0; 300];
    assert_eq!(inode.read_at(&disk, 1200, &mut buf).unwrap(), 100);
    assert_eq!(&buf[..100], &data[1200..]);
    assert_eq!(inode.read_at(&disk, 1300, &mut buf).unwrap(), 0);
    assert_eq!(inode.read_at(&disk, u32::MAX, &mut buf).unwrap(), 0);
    assert_eq!(inode.write_at(&disk, 1250, &[7; 300]).unwrap(), 50);
    assert_eq!(inode.write_at(&disk, 5000, &[7; 10]).unwrap(), 0);
    let mut tail = [0; 60];
    inode.read_at(&disk, 1240, &mut tail).unwrap();
    assert_eq!(&tail[..10], &data[1240..1250]);
    assert_eq!(&tail[10..], &[7; 50]);
}

#[test]
fn writes_leave_neighbouring_files_alone() {
    let (disk, mut fs) = formatted(200);
    let a = fs.create(&disk, "a", 100).unwrap();
    let b = fs.create(&disk, "b", 100).unwrap();
    a.write_at(&disk, 0, &[1; 200]).unwrap();
    b.write_at(&disk, 0, &[2; 100]).unwrap();
    assert_eq!(read_all(&disk, &fs, "a"), vec![1; 100]);
    assert_eq!(read_all(&disk, &fs, "b"), vec![2; 100]);
}

#[test]
fn everything_survives_a_remount() {
    let (disk, mut fs) = formatted(300);
    for (index, name) in ["one", "two", "fourteen-bytes"].iter().enumerate() {
        let data = pattern(index * 600 + 1, index as u8);
        let inode = fs.create(&disk, name, data.len() as u32).unwrap();
        inode.write_at(&disk, 0, &data).unwrap();
    }
    let removed = fs.unlink(&disk, "two").unwrap();
    fs.release(&disk, removed).unwrap();

    let mounted = FileSys::mount(&disk).unwrap();
    assert_eq!(
        mounted.list(),
        vec![("one".to_string(), 1), ("fourteen-bytes".to_string(), 1201)]
    );
    assert_eq!(
        read_all(&disk, &mounted, "fourteen-bytes"),
        pattern(1201, 2)
    );
    assert_eq!(mounted.free_sectors(), fs.free_sectors());
}

#[test]
fn removed_files_stay_readable_until_released_and_then_their_sectors_are_reused() {
    let (disk, mut fs) = formatted(100);
    let free_before = fs.free_sectors();
    let inode = fs.create(&disk, "victim", 2000).unwrap();
    inode.write_at(&disk, 0, &[9; 2000]).unwrap();
    assert_eq!(fs.free_sectors(), free_before - 5);

    assert_eq!(fs.unlink(&disk, "victim"), Ok(inode));
    assert_eq!(fs.lookup("victim"), Err(FsError::NotFound));
    assert_eq!(fs.unlink(&disk, "victim"), Err(FsError::NotFound));
    let mut buf = [0; 2000];
    assert_eq!(inode.read_at(&disk, 0, &mut buf).unwrap(), 2000);
    assert_eq!(buf, [9; 2000]);
    assert_eq!(fs.free_sectors(), free_before - 5);

    fs.release(&disk, inode).unwrap();
    assert_eq!(fs.free_sectors(), free_before);
    let again = fs.create(&disk, "victim", 2000).unwrap();
    assert_eq!(again, inode);
    assert_eq!(read_all(&disk, &fs, "victim"), vec![0; 2000]);
}

#[test]
fn a_full_disk_is_an_error_that_changes_nothing() {
    let (disk, mut fs) = formatted(METADATA + 10);
    assert_eq!(fs.create(&disk, "huge", u32::MAX), Err(FsError::DiskFull));
    fs.create(&disk, "big", 8 * 512).unwrap();
    assert_eq!(fs.free_sectors(), 1);
    assert_eq!(fs.create(&disk, "more", 1), Err(FsError::DiskFull));
    assert_eq!(fs.free_sectors(), 1);
    fs.create(&disk, "empty", 0).unwrap();
    assert_eq!(fs.create(&disk, "none", 0), Err(FsError::DiskFull));
    assert_eq!(FileSys::mount(&disk).unwrap().list().len(), 2);
}

#[test]
fn extents_are_contiguous_so_fragmented_space_can_be_full() {
    let (disk, mut fs) = formatted(METADATA + 9);
    for name in ["a", "b", "c"] {
        fs.create(&disk, name, 512).unwrap();
    }
    let b = fs.unlink(&disk, "b").unwrap();
    fs.release(&disk, b).unwrap();
    // 5 sectors free, but split 2 + 3: a 3-sector file (inode + 2 data) still fits, a
    // 5-sector one does not.
    assert_eq!(fs.free_sectors(), 5);
    assert_eq!(fs.create(&disk, "d", 4 * 512), Err(FsError::DiskFull));
    fs.create(&disk, "e", 2 * 512).unwrap();
}

#[test]
fn the_directory_holds_its_capacity_and_no_more() {
    let (disk, mut fs) = formatted(2 * DIRECTORY_CAPACITY as u32 + 100);
    for index in 0..DIRECTORY_CAPACITY {
        fs.create(&disk, &index.to_string(), 1).unwrap();
    }
    let free = fs.free_sectors();
    assert_eq!(
        fs.create(&disk, "one-too-many", 1),
        Err(FsError::DirectoryFull)
    );
    assert_eq!(fs.free_sectors(), free);
    let mounted = FileSys::mount(&disk).unwrap();
    assert_eq!(mounted.list().len(), DIRECTORY_CAPACITY);
    assert_eq!(mounted.lookup("255").unwrap().length(), 1);
}

#[test]
fn names_are_checked() {
    let (disk, mut fs) = formatted(100);
    assert_eq!(fs.create(&disk, "", 0), Err(FsError::EmptyName));
    assert_eq!(
        fs.create(&disk, "fifteen-bytes!!", 0),
        Err(FsError::NameTooLong)
    );
    assert_eq!(
        fs.create(&disk, &"x".repeat(511), 0),
        Err(FsError::NameTooLong)
    );
    assert_eq!(
        fs.create(&disk, "nul\0inside", 0),
        Err(FsError::InvalidName)
    );
    assert_eq!(fs.lookup(""), Err(FsError::EmptyName));
    fs.create(&disk, "fourteen-bytes", 0).unwrap();
    assert_eq!(fs.create(&disk, "fourteen-bytes", 10), Err(FsError::Exists));
    assert_eq!(fs.lookup("fourteen-byte"), Err(FsError::NotFound));
}

#[test]
fn leaked_sectors_are_tolerated_at_mount() {
    let (disk, mut fs) = formatted(100);
    fs.create(&disk, "kept", 512).unwrap();
    fs.create(&disk, "lost", 512).unwrap();
    // Unlinked but never released, as after a crash with the file still open.
    fs.unlink(&disk, "lost").unwrap();
    let mounted = FileSys::mount(&disk).unwrap();
    assert_eq!(mounted.list(), vec![("kept".to_string(), 512)]);
    assert_eq!(mounted.free_sectors(), fs.free_sectors());
}

/// Mounting `disk` after `edit` fails with `Corrupt`.
fn assert_corrupt_after(edit: impl FnOnce(&MemDisk, &FileSys)) {
    let (disk, mut fs) = formatted(200);
    fs.create(&disk, "a", 1000).unwrap();
    fs.create(&disk, "b", 100).unwrap();
    edit(&disk, &fs);
    assert!(
        matches!(FileSys::mount(&disk), Err(FsError::Corrupt(_))),
        "{:?}",
        FileSys::mount(&disk).err()
    );
}

fn patch_sector(disk: &MemDisk, sector: u32, edit: impl FnOnce(&mut [u8; SECTOR_SIZE])) {
    let mut raw = [0; SECTOR_SIZE];
    disk.read_sector(sector, &mut raw).unwrap();
    edit(&mut raw);
    disk.write_sector(sector, &raw).unwrap();
}

const DIRECTORY_START: u32 = 2;

#[test]
fn corrupt_images_are_errors() {
    assert!(matches!(
        FileSys::mount(&MemDisk::new(100)),
        Err(FsError::Corrupt(_))
    ));
    // Bad magic, version, sizes.
    assert_corrupt_after(|disk, _| patch_sector(disk, 0, |s| s[0] = b'X'));
    assert_corrupt_after(|disk, _| patch_sector(disk, 0, |s| s[8] = 2));
    assert_corrupt_after(|disk, _| {
        patch_sector(disk, 0, |s| {
            s[12..16].copy_from_slice(&1000u32.to_le_bytes())
        })
    });
    assert_corrupt_after(|disk, _| patch_sector(disk, 0, |s| s[16] = 3));
    assert_corrupt_after(|disk, _| {
        patch_sector(disk, 0, |s| {
            s[20..24].copy_from_slice(&u32::MAX.to_le_bytes())
        })
    });
    // Metadata marked free.
    assert_corrupt_after(|disk, _| patch_sector(disk, 1, |s| s[0] = 0));
    // A file's sector marked free.
    assert_corrupt_after(|disk, fs| {
        let sector = fs.lookup("b").unwrap().sector();
        patch_sector(disk, 1, |s| s[sector as usize / 8] &= !(1 << (sector % 8)));
    });
    // Directory entries: name garbage, duplicate name, inode outside the device.
    assert_corrupt_after(|disk, _| patch_sector(disk, DIRECTORY_START, |s| s[4..20].fill(b'n')));
    assert_corrupt_after(|disk, _| patch_sector(disk, DIRECTORY_START, |s| s[36] = b'a'));
    assert_corrupt_after(|disk, _| {
        patch_sector(disk, DIRECTORY_START, |s| {
            s[0..4].copy_from_slice(&5000u32.to_le_bytes())
        })
    });
    assert_corrupt_after(|disk, _| {
        patch_sector(disk, DIRECTORY_START, |s| {
            s[0..4].copy_from_slice(&1u32.to_le_bytes())
        })
    });
    // Both entries pointing at one inode.
    assert_corrupt_after(|disk, _| {
        patch_sector(disk, DIRECTORY_START, |s| s.copy_within(0..4, 32))
    });
    // Inode: bad magic, extent past the end, extent overlapping another file.
    assert_corrupt_after(|disk, fs| {
        patch_sector(disk, fs.lookup("a").unwrap().sector(), |s| s[0] = 0)
    });
    assert_corrupt_after(|disk, fs| {
        patch_sector(disk, fs.lookup("a").unwrap().sector(), |s| {
            s[8..12].copy_from_slice(&u32::MAX.to_le_bytes())
        })
    });
    assert_corrupt_after(|disk, fs| {
        let b = fs.lookup("b").unwrap();
        patch_sector(disk, fs.lookup("a").unwrap().sector(), |s| {
            s[4..8].copy_from_slice(&(b.sector()).to_le_bytes())
        })
    });
}

#[test]
fn truncated_devices_are_errors() {
    let (disk, mut fs) = formatted(300);
    fs.create(&disk, "a", 10_000).unwrap();
    let bytes = disk.to_bytes();
    for sectors in [0, 1, 3, 30, 299] {
        let short = MemDisk::from_bytes(&bytes[..sectors * SECTOR_SIZE]);
        assert!(FileSys::mount(&short).is_err(), "{sectors} sectors");
    }
}

#[test]
fn random_damage_never_panics() {
    let (disk, mut fs) = formatted(120);
    for index in 0..10u32 {
        fs.create(&disk, &index.to_string(), index * 300).unwrap();
    }
    let image = disk.to_bytes();
    let mut rng = XorShift::new(99);
    let metadata_bytes = (METADATA as usize + 25) * SECTOR_SIZE;
    for _ in 0..300 {
        let mut bytes = image.clone();
        for _ in 0..rng.below(6) + 1 {
            let at = rng.below(metadata_bytes as u32) as usize;
            bytes[at] = rng.next() as u8;
        }
        let damaged = MemDisk::from_bytes(&bytes);
        if let Ok(mut fs) = FileSys::mount(&damaged) {
            // Whatever mounted must be usable.
            for (name, _) in fs.list() {
                let inode = fs.lookup(&name).unwrap();
                let mut buf = vec![0; inode.length() as usize];
                inode.read_at(&damaged, 0, &mut buf).unwrap();
            }
            let _ = fs.create(&damaged, "new", 700);
        }
    }
    for _ in 0..50 {
        let random: Vec<u8> = (0..20 * SECTOR_SIZE).map(|_| rng.next() as u8).collect();
        assert!(FileSys::mount(&MemDisk::from_bytes(&random)).is_err());
    }
}

#[test]
fn extract_puts_archived_files_into_the_file_system_and_erases_the_archive() {
    let (fs_disk, mut fs) = formatted(400);
    let scratch = MemDisk::new(100);
    let files = [
        ("args-none", pattern(3000, 1)),
        ("sample.txt", pattern(239, 2)),
        ("empty", Vec::new()),
    ];
    let mut writer = ArchiveWriter::new();
    for (name, data) in &files {
        writer
            .append(&scratch, name, data.len() as u32, |offset, chunk| {
                chunk.copy_from_slice(&data[offset as usize..][..chunk.len()]);
                Ok(())
            })
            .unwrap();
    }
    let mut seen = Vec::new();
    archive::extract(&mut fs, &fs_disk, &scratch, |member| {
        if let Member::File { name, .. } = member {
            seen.push(name.clone());
        }
    })
    .unwrap();
    assert_eq!(seen, ["args-none", "sample.txt", "empty"]);
    for (name, data) in &files {
        assert_eq!(&read_all(&fs_disk, &fs, name), data);
    }
    // Extracting again finds an empty archive.
    archive::extract(&mut fs, &fs_disk, &scratch, |_| {
        panic!("archive not erased")
    })
    .unwrap();
}

#[test]
fn extract_reports_files_the_file_system_refuses() {
    let (fs_disk, mut fs) = formatted(100);
    let scratch = MemDisk::new(20);
    let mut writer = ArchiveWriter::new();
    writer
        .append(&scratch, "much-too-long-a-name", 1, |_, _| Ok(()))
        .unwrap();
    assert_eq!(
        archive::extract(&mut fs, &fs_disk, &scratch, |_| {}),
        Err(ArchiveError::File {
            name: "much-too-long-a-name".into(),
            error: FsError::NameTooLong
        })
    );
}

#[test]
fn appended_files_read_back_from_the_scratch_archive() {
    let (fs_disk, mut fs) = formatted(400);
    for (name, len) in [("out", 1234), ("log", 512), ("none", 0)] {
        let inode = fs.create(&fs_disk, name, len).unwrap();
        inode
            .write_at(&fs_disk, 0, &pattern(len as usize, len as u8))
            .unwrap();
    }
    let scratch = MemDisk::new(100);
    let mut writer = ArchiveWriter::new();
    for name in ["out", "log", "none"] {
        archive::append(&mut writer, &fs, &fs_disk, &scratch, name).unwrap();
    }
    assert!(matches!(
        archive::append(&mut writer, &fs, &fs_disk, &scratch, "missing"),
        Err(ArchiveError::File {
            error: FsError::NotFound,
            ..
        })
    ));
    let files = ustar::read_files(&scratch).unwrap();
    let expected: Vec<_> = [("out", 1234), ("log", 512), ("none", 0)]
        .iter()
        .map(|&(name, len)| (name.to_string(), pattern(len, len as u8)))
        .collect();
    assert_eq!(files, expected);
}

#[test]
fn sector_of_names_the_device_sector_holding_each_byte() {
    let (disk, mut fs) = formatted(200);
    let inode = fs.create(&disk, "data", 1300).unwrap();
    let data = pattern(1300, 9);
    inode.write_at(&disk, 0, &data).unwrap();
    for offset in [0u32, 511, 512, 1299] {
        let sector = inode.sector_of(offset).unwrap();
        let mut raw = [0; SECTOR_SIZE];
        disk.read_sector(sector, &mut raw).unwrap();
        assert_eq!(raw[offset as usize % SECTOR_SIZE], data[offset as usize]);
    }
    assert_eq!(inode.sector_of(1300), None);
}
