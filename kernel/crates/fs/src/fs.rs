//! The Pintos base file system: one root directory of named files, each file a contiguous run
//! of sectors whose length is fixed when the file is created.
//!
//! On-disk layout, in sectors of the partition:
//!
//! | sector(s)                 | contents                                                  |
//! |---------------------------|-----------------------------------------------------------|
//! | 0                         | superblock: magic, version, sizes of the regions below    |
//! | 1 ..                      | free map: one bit per sector of the partition (1 = used)  |
//! | after the free map        | root directory: [`DIRECTORY_SECTORS`] sectors of entries  |
//! | the rest                  | inodes (one sector per file) and file data                |
//!
//! A directory entry is 32 bytes: the inode's sector number (0 marks a free slot, since
//! sector 0 is the superblock), then the name, NUL-padded to 16 bytes, then zero padding so
//! that 16 entries fill a sector. An inode sector holds a magic number, the first data sector
//! and the length in bytes; the data occupies `ceil(length / 512)` consecutive sectors.
//!
//! [`FileSys`] keeps the free map and the directory in memory after mounting and writes every
//! change through to the disk at once. Metadata operations take `&mut FileSys`; reading and
//! writing file data only needs the small `Copy` [`Inode`], so a kernel can hold its
//! file-system lock for metadata changes only.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use crate::block::{BlockDevice, IoError, SECTOR_SIZE, Sector, get_u32, put_u32};

/// The longest file name, in bytes (Pintos' `NAME_MAX`).
pub const NAME_MAX: usize = 14;
/// Sectors of the root directory; it holds `DIRECTORY_SECTORS * 16` files.
pub const DIRECTORY_SECTORS: u32 = 16;
/// Files the root directory holds.
pub const DIRECTORY_CAPACITY: usize = DIRECTORY_SECTORS as usize * ENTRIES_PER_SECTOR;

const MAGIC: &[u8; 8] = b"RintosFS";
const VERSION: u32 = 1;
const INODE_MAGIC: u32 = u32::from_le_bytes(*b"INOD");
const ENTRY_SIZE: usize = 32;
const ENTRIES_PER_SECTOR: usize = SECTOR_SIZE / ENTRY_SIZE;
const NAME_FIELD: usize = 16;
const BITS_PER_SECTOR: u32 = SECTOR_SIZE as u32 * 8;
/// A bound on the directory size a mount accepts, so a corrupt superblock cannot make it
/// allocate and read an absurd directory.
const MAX_DIRECTORY_SECTORS: u32 = 64;

/// Why a file-system operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsError {
    /// The name is longer than [`NAME_MAX`] bytes.
    NameTooLong,
    EmptyName,
    /// The name contains a NUL byte, which the directory uses as padding.
    InvalidName,
    Exists,
    NotFound,
    /// Not enough free sectors (for the inode and a contiguous data extent).
    DiskFull,
    /// Every directory slot is taken.
    DirectoryFull,
    /// The image is not a valid file system; the text says what is wrong.
    Corrupt(&'static str),
    Io(IoError),
}

impl From<IoError> for FsError {
    fn from(error: IoError) -> Self {
        FsError::Io(error)
    }
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FsError::NameTooLong => write!(f, "file name longer than {NAME_MAX} bytes"),
            FsError::EmptyName => f.write_str("empty file name"),
            FsError::InvalidName => f.write_str("file name contains a NUL byte"),
            FsError::Exists => f.write_str("file exists"),
            FsError::NotFound => f.write_str("no such file"),
            FsError::DiskFull => f.write_str("file system is full"),
            FsError::DirectoryFull => f.write_str("root directory is full"),
            FsError::Corrupt(what) => write!(f, "corrupt file system: {what}"),
            FsError::Io(error) => write!(f, "I/O error: {error}"),
        }
    }
}

impl core::error::Error for FsError {}

/// A file's identity and extent: everything needed to read and write its data.
///
/// `sector` (the inode's own sector) identifies the file uniquely while it exists, like
/// Pintos' inode number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inode {
    sector: u32,
    start: u32,
    length: u32,
}

impl Inode {
    /// The inode's sector number: unique among existing files.
    pub fn sector(&self) -> u32 {
        self.sector
    }

    /// The file's size in bytes (fixed at creation).
    pub fn length(&self) -> u32 {
        self.length
    }

    /// The device sector that holds byte `offset` (a file's data is one contiguous run of
    /// sectors), for callers that move whole sectors themselves, such as the kernel's
    /// page-sized I/O. `None` at or past the end of the file.
    pub fn sector_of(&self, offset: u32) -> Option<u32> {
        (offset < self.length).then(|| self.start + offset / SECTOR_SIZE as u32)
    }

    fn data_sectors(&self) -> u32 {
        self.length.div_ceil(SECTOR_SIZE as u32)
    }

    /// Reads up to `buf.len()` bytes at byte `offset`; returns the bytes read (0 at or past
    /// the end of the file).
    pub fn read_at(
        &self,
        device: &dyn BlockDevice,
        offset: u32,
        buf: &mut [u8],
    ) -> Result<usize, IoError> {
        let mut bounce = [0; SECTOR_SIZE];
        let mut done = 0;
        for piece in self.pieces(offset, buf.len()) {
            let target = &mut buf[done..done + piece.len];
            if piece.len == SECTOR_SIZE {
                let target: &mut Sector = target
                    .try_into()
                    .expect("a whole-sector piece is one sector long");
                device.read_sector(piece.sector, target)?;
            } else {
                device.read_sector(piece.sector, &mut bounce)?;
                target.copy_from_slice(&bounce[piece.within..piece.within + piece.len]);
            }
            done += piece.len;
        }
        Ok(done)
    }

    /// Writes up to `buf.len()` bytes at byte `offset`; returns the bytes written. Files never
    /// grow: whatever lies past the end of the file is not written.
    pub fn write_at(
        &self,
        device: &dyn BlockDevice,
        offset: u32,
        buf: &[u8],
    ) -> Result<usize, IoError> {
        let mut bounce = [0; SECTOR_SIZE];
        let mut done = 0;
        for piece in self.pieces(offset, buf.len()) {
            let source = &buf[done..done + piece.len];
            if piece.len == SECTOR_SIZE {
                device.write_sector(
                    piece.sector,
                    source
                        .try_into()
                        .expect("a whole-sector piece is one sector long"),
                )?;
            } else {
                // Part of a sector: keep the bytes around the piece.
                device.read_sector(piece.sector, &mut bounce)?;
                bounce[piece.within..piece.within + piece.len].copy_from_slice(source);
                device.write_sector(piece.sector, &bounce)?;
            }
            done += piece.len;
        }
        Ok(done)
    }

    /// Splits the byte range `offset .. offset + len`, clipped to the file, into per-sector
    /// pieces.
    fn pieces(&self, offset: u32, len: usize) -> impl Iterator<Item = Piece> {
        let end = u64::from(self.length).min(u64::from(offset) + len as u64) as u32;
        let start = self.start;
        let mut position = offset;
        core::iter::from_fn(move || {
            if position >= end {
                return None;
            }
            let within = (position % SECTOR_SIZE as u32) as usize;
            let len = (SECTOR_SIZE - within).min((end - position) as usize);
            let piece = Piece {
                sector: start + position / SECTOR_SIZE as u32,
                within,
                len,
            };
            position += len as u32;
            Some(piece)
        })
    }
}

/// The part of one data sector that a transfer touches.
struct Piece {
    sector: u32,
    within: usize,
    len: usize,
}

/// A validated file name: 1 to [`NAME_MAX`] bytes, no NUL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Name {
    bytes: [u8; NAME_MAX],
    len: u8,
}

impl Name {
    fn new(name: &str) -> Result<Name, FsError> {
        match name.len() {
            0 => Err(FsError::EmptyName),
            len if len > NAME_MAX => Err(FsError::NameTooLong),
            _ if name.contains('\0') => Err(FsError::InvalidName),
            len => {
                let mut bytes = [0; NAME_MAX];
                bytes[..len].copy_from_slice(name.as_bytes());
                Ok(Name {
                    bytes,
                    len: len as u8,
                })
            }
        }
    }

    fn as_str(&self) -> &str {
        core::str::from_utf8(&self.bytes[..self.len as usize]).expect("names are built from str")
    }

    /// Decodes the NUL-padded name field of a directory entry.
    fn decode(field: &[u8]) -> Result<Name, FsError> {
        const BAD: FsError = FsError::Corrupt("bad file name in directory");
        let len = field.iter().position(|&byte| byte == 0).ok_or(BAD)?;
        if field[len..].iter().any(|&byte| byte != 0) {
            return Err(BAD);
        }
        let text = core::str::from_utf8(&field[..len]).map_err(|_| BAD)?;
        Name::new(text).map_err(|_| BAD)
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    name: Name,
    inode: Inode,
}

/// Where the regions of the partition are.
#[derive(Debug, Clone, Copy)]
struct Layout {
    sector_count: u32,
    free_map_sectors: u32,
    directory_sectors: u32,
}

impl Layout {
    const FREE_MAP_START: u32 = 1;

    fn directory_start(&self) -> u32 {
        Self::FREE_MAP_START + self.free_map_sectors
    }

    fn data_start(&self) -> u32 {
        self.directory_start() + self.directory_sectors
    }

    fn encode(&self) -> Sector {
        let mut sector = [0; SECTOR_SIZE];
        sector[..8].copy_from_slice(MAGIC);
        put_u32(&mut sector, 8, VERSION);
        put_u32(&mut sector, 12, self.sector_count);
        put_u32(&mut sector, 16, self.free_map_sectors);
        put_u32(&mut sector, 20, self.directory_sectors);
        sector
    }

    fn decode(sector: &Sector, device_sectors: u32) -> Result<Layout, FsError> {
        if &sector[..8] != MAGIC {
            return Err(FsError::Corrupt("no file system (bad magic number)"));
        }
        if get_u32(sector, 8) != VERSION {
            return Err(FsError::Corrupt("unsupported file system version"));
        }
        let layout = Layout {
            sector_count: get_u32(sector, 12),
            free_map_sectors: get_u32(sector, 16),
            directory_sectors: get_u32(sector, 20),
        };
        if layout.sector_count > device_sectors {
            return Err(FsError::Corrupt("file system is larger than its device"));
        }
        if layout.free_map_sectors != layout.sector_count.div_ceil(BITS_PER_SECTOR) {
            return Err(FsError::Corrupt(
                "free map size does not match the sector count",
            ));
        }
        if layout.directory_sectors == 0 || layout.directory_sectors > MAX_DIRECTORY_SECTORS {
            return Err(FsError::Corrupt("bad directory size"));
        }
        if layout.data_start() >= layout.sector_count {
            return Err(FsError::Corrupt("metadata fills the whole device"));
        }
        Ok(layout)
    }
}

/// One bit per sector: set = in use.
struct FreeMap {
    bits: Vec<u8>,
    sector_count: u32,
}

impl FreeMap {
    fn is_used(&self, sector: u32) -> bool {
        self.bits[(sector / 8) as usize] & (1 << (sector % 8)) != 0
    }

    fn set(&mut self, first: u32, count: u32, used: bool) {
        for sector in first..first + count {
            let mask = 1 << (sector % 8);
            let byte = &mut self.bits[(sector / 8) as usize];
            *byte = if used { *byte | mask } else { *byte & !mask };
        }
    }

    /// The first run of `count` free sectors (first fit).
    fn find_free_run(&self, count: u32) -> Option<u32> {
        let mut run_start = 0;
        let mut run_len = 0;
        for sector in 0..self.sector_count {
            if self.is_used(sector) {
                run_len = 0;
            } else {
                if run_len == 0 {
                    run_start = sector;
                }
                run_len += 1;
                if run_len == count {
                    return Some(run_start);
                }
            }
        }
        None
    }

    fn count_free(&self) -> u32 {
        (0..self.sector_count)
            .filter(|&sector| !self.is_used(sector))
            .count() as u32
    }

    /// Writes the map sectors that hold the bits of sectors `first .. first + count`.
    fn write_back(&self, device: &dyn BlockDevice, first: u32, count: u32) -> Result<(), IoError> {
        if count == 0 {
            return Ok(());
        }
        let last = first + count - 1;
        for map_sector in first / BITS_PER_SECTOR..=last / BITS_PER_SECTOR {
            let bytes = &self.bits[map_sector as usize * SECTOR_SIZE..][..SECTOR_SIZE];
            device.write_sector(
                Layout::FREE_MAP_START + map_sector,
                bytes.try_into().expect("one sector of the map"),
            )?;
        }
        Ok(())
    }
}

/// A mounted file system. See the module documentation for the disk layout.
pub struct FileSys {
    layout: Layout,
    free_map: FreeMap,
    /// One slot per directory entry, in disk order.
    directory: Vec<Option<Entry>>,
}

impl FileSys {
    /// Writes an empty file system over the whole device and mounts it.
    pub fn format(device: &dyn BlockDevice) -> Result<FileSys, FsError> {
        let sector_count = device.sector_count();
        let layout = Layout {
            sector_count,
            free_map_sectors: sector_count.div_ceil(BITS_PER_SECTOR),
            directory_sectors: DIRECTORY_SECTORS,
        };
        if layout.data_start() >= sector_count {
            return Err(FsError::DiskFull);
        }
        let mut free_map = FreeMap {
            bits: vec![0; layout.free_map_sectors as usize * SECTOR_SIZE],
            sector_count,
        };
        free_map.set(0, layout.data_start(), true);
        let zeros = [0; SECTOR_SIZE];
        for sector in layout.directory_start()..layout.data_start() {
            device.write_sector(sector, &zeros)?;
        }
        free_map.write_back(device, 0, sector_count)?;
        device.write_sector(0, &layout.encode())?;
        Ok(FileSys {
            layout,
            free_map,
            directory: vec![None; DIRECTORY_CAPACITY],
        })
    }

    /// Reads and checks a file system: the superblock, every directory entry and inode, and
    /// that the free map marks every sector in use as used and no sector belongs to two
    /// files. Sectors marked used that no file owns (left by a crash between removing a file
    /// and freeing it) are tolerated: they stay allocated.
    pub fn mount(device: &dyn BlockDevice) -> Result<FileSys, FsError> {
        let mut sector = [0; SECTOR_SIZE];
        device.read_sector(0, &mut sector)?;
        let layout = Layout::decode(&sector, device.sector_count())?;

        let mut free_map = FreeMap {
            bits: Vec::with_capacity(layout.free_map_sectors as usize * SECTOR_SIZE),
            sector_count: layout.sector_count,
        };
        for map_sector in 0..layout.free_map_sectors {
            device.read_sector(Layout::FREE_MAP_START + map_sector, &mut sector)?;
            free_map.bits.extend_from_slice(&sector);
        }
        // Sectors claimed so far by the metadata and the files checked.
        let mut claimed = FreeMap {
            bits: vec![0; free_map.bits.len()],
            sector_count: layout.sector_count,
        };
        claimed.set(0, layout.data_start(), true);
        if (0..layout.data_start()).any(|s| !free_map.is_used(s)) {
            return Err(FsError::Corrupt("free map marks file-system metadata free"));
        }

        let mut directory =
            Vec::with_capacity(layout.directory_sectors as usize * ENTRIES_PER_SECTOR);
        for dir_sector in 0..layout.directory_sectors {
            device.read_sector(layout.directory_start() + dir_sector, &mut sector)?;
            for raw in sector.chunks(ENTRY_SIZE) {
                let inode_sector = get_u32(raw, 0);
                if inode_sector == 0 {
                    directory.push(None);
                    continue;
                }
                let name = Name::decode(&raw[4..4 + NAME_FIELD])?;
                if directory
                    .iter()
                    .flatten()
                    .any(|entry: &Entry| entry.name == name)
                {
                    return Err(FsError::Corrupt("two directory entries with the same name"));
                }
                let inode = read_inode(device, &layout, inode_sector)?;
                claim(&mut claimed, &free_map, inode.sector, 1)?;
                claim(&mut claimed, &free_map, inode.start, inode.data_sectors())?;
                directory.push(Some(Entry { name, inode }));
            }
        }
        Ok(FileSys {
            layout,
            free_map,
            directory,
        })
    }

    /// Creates a file of `size` zero bytes and returns its inode.
    pub fn create(
        &mut self,
        device: &dyn BlockDevice,
        name: &str,
        size: u32,
    ) -> Result<Inode, FsError> {
        let name = Name::new(name)?;
        if self.find(&name).is_some() {
            return Err(FsError::Exists);
        }
        let slot = self
            .directory
            .iter()
            .position(Option::is_none)
            .ok_or(FsError::DirectoryFull)?;
        let inode_sector = self.free_map.find_free_run(1).ok_or(FsError::DiskFull)?;
        self.free_map.set(inode_sector, 1, true);
        let data_sectors = size.div_ceil(SECTOR_SIZE as u32);
        let start = if data_sectors == 0 {
            0
        } else if let Some(start) = self.free_map.find_free_run(data_sectors) {
            start
        } else {
            self.free_map.set(inode_sector, 1, false);
            return Err(FsError::DiskFull);
        };
        self.free_map.set(start, data_sectors, true);
        let inode = Inode {
            sector: inode_sector,
            start,
            length: size,
        };

        let zeros = [0; SECTOR_SIZE];
        for sector in start..start + data_sectors {
            device.write_sector(sector, &zeros)?;
        }
        device.write_sector(inode_sector, &encode_inode(&inode))?;
        self.free_map.write_back(device, inode_sector, 1)?;
        self.free_map.write_back(device, start, data_sectors)?;
        self.directory[slot] = Some(Entry { name, inode });
        self.write_directory_slot(device, slot)?;
        Ok(inode)
    }

    /// The inode of the file called `name`.
    pub fn lookup(&self, name: &str) -> Result<Inode, FsError> {
        let name = Name::new(name)?;
        self.find(&name)
            .map(|slot| self.entry(slot).inode)
            .ok_or(FsError::NotFound)
    }

    /// Removes `name` from the directory and returns its inode. The file's sectors stay
    /// allocated (open handles keep working) until [`FileSys::release`] frees them.
    pub fn unlink(&mut self, device: &dyn BlockDevice, name: &str) -> Result<Inode, FsError> {
        let name = Name::new(name)?;
        let slot = self.find(&name).ok_or(FsError::NotFound)?;
        let inode = self.entry(slot).inode;
        self.directory[slot] = None;
        self.write_directory_slot(device, slot)?;
        Ok(inode)
    }

    /// Frees the sectors of an unlinked file, once nothing uses it any more.
    pub fn release(&mut self, device: &dyn BlockDevice, inode: Inode) -> Result<(), FsError> {
        let data_sectors = inode.data_sectors();
        self.free_map.set(inode.sector, 1, false);
        self.free_map.set(inode.start, data_sectors, false);
        self.free_map.write_back(device, inode.sector, 1)?;
        self.free_map
            .write_back(device, inode.start, data_sectors)?;
        Ok(())
    }

    /// Every file as (name, size in bytes), in directory order.
    pub fn list(&self) -> Vec<(String, u32)> {
        self.directory
            .iter()
            .flatten()
            .map(|entry| (String::from(entry.name.as_str()), entry.inode.length))
            .collect()
    }

    /// Sectors not in use.
    pub fn free_sectors(&self) -> u32 {
        self.free_map.count_free()
    }

    /// Files the root directory can hold.
    pub fn directory_capacity(&self) -> usize {
        self.directory.len()
    }

    fn find(&self, name: &Name) -> Option<usize> {
        self.directory
            .iter()
            .position(|slot| slot.is_some_and(|entry| entry.name == *name))
    }

    fn entry(&self, slot: usize) -> &Entry {
        self.directory[slot].as_ref().expect("slot found by name")
    }

    /// Writes the directory sector that holds `slot`, encoded from memory.
    fn write_directory_slot(&self, device: &dyn BlockDevice, slot: usize) -> Result<(), IoError> {
        let dir_sector = slot / ENTRIES_PER_SECTOR;
        let mut sector = [0; SECTOR_SIZE];
        let slots = &self.directory[dir_sector * ENTRIES_PER_SECTOR..][..ENTRIES_PER_SECTOR];
        for (raw, slot) in sector.chunks_mut(ENTRY_SIZE).zip(slots) {
            if let Some(entry) = slot {
                put_u32(raw, 0, entry.inode.sector);
                raw[4..4 + entry.name.len as usize].copy_from_slice(entry.name.as_str().as_bytes());
            }
        }
        device.write_sector(self.layout.directory_start() + dir_sector as u32, &sector)
    }
}

fn encode_inode(inode: &Inode) -> Sector {
    let mut sector = [0; SECTOR_SIZE];
    put_u32(&mut sector, 0, INODE_MAGIC);
    put_u32(&mut sector, 4, inode.start);
    put_u32(&mut sector, 8, inode.length);
    sector
}

/// Reads the inode at `sector` and checks that it and its extent lie in the data region.
fn read_inode(device: &dyn BlockDevice, layout: &Layout, sector: u32) -> Result<Inode, FsError> {
    let in_data_region = |first: u32, count: u32| {
        first >= layout.data_start()
            && first
                .checked_add(count)
                .is_some_and(|end| end <= layout.sector_count)
    };
    if !in_data_region(sector, 1) {
        return Err(FsError::Corrupt(
            "directory entry points outside the data region",
        ));
    }
    let mut raw = [0; SECTOR_SIZE];
    device.read_sector(sector, &mut raw)?;
    if get_u32(&raw, 0) != INODE_MAGIC {
        return Err(FsError::Corrupt("bad inode magic number"));
    }
    let inode = Inode {
        sector,
        start: get_u32(&raw, 4),
        length: get_u32(&raw, 8),
    };
    let extent_ok = if inode.length == 0 {
        inode.start == 0
    } else {
        in_data_region(inode.start, inode.data_sectors())
    };
    if !extent_ok {
        return Err(FsError::Corrupt("file data outside the data region"));
    }
    Ok(inode)
}

/// Marks `count` sectors from `first` as owned by a file, checking that no other file owns
/// them and that the free map has them as used.
fn claim(claimed: &mut FreeMap, free_map: &FreeMap, first: u32, count: u32) -> Result<(), FsError> {
    for sector in first..first + count {
        if claimed.is_used(sector) {
            return Err(FsError::Corrupt("a sector belongs to two files"));
        }
        if !free_map.is_used(sector) {
            return Err(FsError::Corrupt("free map marks a file's sector free"));
        }
    }
    claimed.set(first, count, true);
    Ok(())
}
