//! The kernel side of the Pintos base file system. The on-disk format and its operations
//! live in `rintos-fs` (host-tested); this module adds what a running kernel needs:
//!
//! - one sleeping lock, [`META`], over the directory and free map, held by create, open,
//!   remove and the final release of a removed file. It is held across that metadata I/O.
//! - file data is read and written without it: an open file knows its extent (files never
//!   grow in the base file system), so readers and writers of different files never wait for
//!   each other. Writes to one file are serialized by that file's own lock, because a write
//!   of part of a sector is a read-modify-write.
//! - an open-inode table, so that every handle of a file shares one [`OpenInode`]: its
//!   write-denial count (running executables) and its "removed" mark. A removed file stays
//!   readable and writable through its handles, and its sectors are freed when the last
//!   handle closes.

pub mod actions;

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};

pub use rintos_fs::FsError;
use rintos_fs::{FileSys, Inode, IoError, SECTOR_SIZE};

use crate::devices::block::{self, BlockDevice, Role};
use crate::println;
use crate::threads::Mutex;
use crate::task::{AsyncMutex, block_on};

struct Mounted {
    device: &'static BlockDevice,
    fs: FileSys,
    open: BTreeMap<u32, Weak<OpenInode>>,
}

static META: Mutex<Option<Mounted>> = Mutex::new("file system", None);
/// Open `File` handles in the whole system (resource accounting).
static OPEN_FILES: AtomicUsize = AtomicUsize::new(0);

/// Mounts (or with `format`, first formats) the file-system device. A missing device or a
/// corrupt image is reported and leaves the kernel running without a file system.
pub fn init(format: bool) {
    let Some(device) = block::by_role(Role::Filesys) else {
        println!("filesys: no file system device found");
        return;
    };
    let mounted = if format {
        crate::print!("Formatting file system...");
        let result = FileSys::format(device);
        if result.is_ok() {
            println!("done.");
        }
        result
    } else {
        FileSys::mount(device)
    };
    match mounted {
        Ok(fs) => *META.lock() = Some(Mounted { device, fs, open: BTreeMap::new() }),
        Err(error) => println!("filesys: cannot use {}: {error}", device.name),
    }
}

fn with_fs<R>(f: impl FnOnce(&mut Mounted) -> Result<R, FsError>) -> Result<R, FsError> {
    match META.lock().as_mut() {
        Some(mounted) => f(mounted),
        None => Err(FsError::NotFound),
    }
}

/// Creates a file of `size` zero bytes.
pub fn create(name: &str, size: u32) -> Result<(), FsError> {
    with_fs(|m| m.fs.create(m.device, name, size).map(drop))
}

/// Opens a file by name.
pub fn open(name: &str) -> Result<File, FsError> {
    let inode = with_fs(|m| {
        let inode = m.fs.lookup(name)?;
        let shared = m.open.get(&inode.sector()).and_then(Weak::upgrade);
        Ok(shared.unwrap_or_else(|| {
            let open = Arc::new(OpenInode::new(inode, m.device));
            m.open.insert(inode.sector(), Arc::downgrade(&open));
            open
        }))
    })?;
    Ok(File::new(inode))
}

/// Removes a file's name. Its data lives on while any handle is open.
pub fn remove(name: &str) -> Result<(), FsError> {
    let still_open = with_fs(|m| {
        let inode = m.fs.unlink(m.device, name)?;
        let open = m.open.get(&inode.sector()).and_then(Weak::upgrade);
        match &open {
            Some(open) => open.removed.store(true, Ordering::Release),
            None => m.fs.release(m.device, inode)?,
        }
        Ok(open)
    })?;
    // Dropped only now: if every other handle closed meanwhile, this was the last reference,
    // and the inode's `Drop` takes the lock that `with_fs` held.
    drop(still_open);
    Ok(())
}

/// Names and sizes of the files in the root directory.
pub fn list() -> Vec<(String, u32)> {
    with_fs(|m| Ok(m.fs.list())).unwrap_or_default()
}

/// Open `File` handles in the system.
pub fn open_files() -> usize {
    OPEN_FILES.load(Ordering::Relaxed)
}

/// Most sectors moved by one disk request of a file read or write (64 KiB).
const MAX_RUN_SECTORS: usize = 128;

/// A piece of a file transfer: part of one sector, or whole sectors starting at a device
/// sector. The range is the piece's bytes in the caller's buffer.
enum Piece {
    Partial(core::ops::Range<usize>),
    Sectors(u32, core::ops::Range<usize>),
}

/// A read or write of file data that the disk cut short: `moved` bytes were transferred
/// before the request that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskFailure {
    pub moved: usize,
}

/// What every handle of one file shares.
pub struct OpenInode {
    inode: Inode,
    device: &'static BlockDevice,
    removed: AtomicBool,
    deny_writes: AtomicU32,
    /// One writer at a time (`write_at`'s partial sectors are read, changed and written).
    /// An `AsyncMutex`, since the VM's write-back futures take it too.
    writer: AsyncMutex,
}

impl OpenInode {
    fn new(inode: Inode, device: &'static BlockDevice) -> OpenInode {
        OpenInode { inode, device, removed: AtomicBool::new(false), deny_writes: AtomicU32::new(0), writer: AsyncMutex::new("file writer") }
    }

    pub fn length(&self) -> u32 {
        self.inode.length()
    }

    /// The inode's sector: unique among existing files (names the file for page sharing).
    pub fn sector(&self) -> u32 {
        self.inode.sector()
    }

    /// Reads the `bytes` bytes at `offset` (a multiple of the sector size) into the start of
    /// `page`, as whole sectors awaited from the disk, and zeroes the rest of the page. The
    /// virtual-memory system's read-in of executable and mapped-file pages.
    pub async fn read_page(&self, offset: u32, bytes: usize, page: &mut [u8]) -> Result<(), FsError> {
        let sectors = bytes.div_ceil(SECTOR_SIZE);
        if sectors > 0 {
            let first = self.inode.sector_of(offset).ok_or(FsError::Io(IoError::OutOfRange { sector: offset }))?;
            self.device.read(first, &mut page[..sectors * SECTOR_SIZE]).await.map_err(|_| FsError::Io(IoError::Device))?;
        }
        page[bytes..].fill(0);
        Ok(())
    }

    /// Writes the first `bytes` bytes of `page` (within the file) at `offset` (a multiple of
    /// the sector size) as whole sectors taken straight from the page: the write-back of a
    /// dirty mapped page. Bytes of the last sector past the end of the file are never
    /// visible through the file. Like [`OpenInode::write_at`], it writes nothing while an
    /// executable of this file runs: a mapping must not be a way around the denial.
    /// It holds the file's writer lock, as `write_at` does: a `write` that reads a partial
    /// sector, changes it and writes it back must not straddle a write-back of that sector.
    pub async fn write_page(&self, offset: u32, bytes: usize, page: &[u8]) -> Result<(), FsError> {
        let _writer = self.writer.lock().await;
        if self.deny_writes.load(Ordering::Acquire) > 0 {
            return Ok(());
        }
        let Some(first) = self.inode.sector_of(offset) else { return Ok(()) };
        let sectors = bytes.div_ceil(SECTOR_SIZE);
        self.device.write(first, &page[..sectors * SECTOR_SIZE]).await.map_err(|_| FsError::Io(IoError::Device))
    }

    /// Reads at `offset`; returns the bytes read (fewer at the end of the file).
    pub fn read_at(&self, offset: u32, buffer: &mut [u8]) -> Result<usize, DiskFailure> {
        self.transfer(offset, buffer.len(), |at, range| match range {
            Piece::Partial(range) => self.inode.read_at(self.device, at, &mut buffer[range]).is_ok(),
            Piece::Sectors(first, range) => block_on(self.device.read(first, &mut buffer[range])).is_ok(),
        })
    }

    /// Writes at `offset`; returns the bytes written (0 while an executable of this file runs).
    pub fn write_at(&self, offset: u32, buffer: &[u8]) -> Result<usize, DiskFailure> {
        let _writer = block_on(self.writer.lock());
        if self.deny_writes.load(Ordering::Acquire) > 0 {
            return Ok(0);
        }
        self.transfer(offset, buffer.len(), |at, range| match range {
            Piece::Partial(range) => self.inode.write_at(self.device, at, &buffer[range]).is_ok(),
            Piece::Sectors(first, range) => block_on(self.device.write(first, &buffer[range])).is_ok(),
        })
    }

    /// Splits a transfer of `len` bytes at `offset` (clipped to the file) into a partial
    /// first sector, runs of whole sectors, and a partial last sector. A file's sectors are
    /// contiguous, so each run of whole sectors is one disk request of up to
    /// [`MAX_RUN_SECTORS`] sectors, not one request per sector. `step(offset, piece)` moves one
    /// piece, or fails; the result is the bytes moved, or those moved before the failure.
    fn transfer(&self, offset: u32, len: usize, mut step: impl FnMut(u32, Piece) -> bool) -> Result<usize, DiskFailure> {
        let end = (u64::from(offset) + len as u64).min(u64::from(self.length())) as u32;
        let mut at = offset;
        while at < end {
            let done = (at - offset) as usize;
            let within = at as usize % SECTOR_SIZE;
            let whole = (end - at) as usize / SECTOR_SIZE;
            let piece = if within == 0 && whole > 0 {
                let sectors = whole.min(MAX_RUN_SECTORS);
                let first = self.inode.sector_of(at).expect("offsets below the length have sectors");
                Piece::Sectors(first, done..done + sectors * SECTOR_SIZE)
            } else {
                let bytes = (SECTOR_SIZE - within).min((end - at) as usize);
                Piece::Partial(done..done + bytes)
            };
            let moved = match &piece {
                Piece::Partial(range) | Piece::Sectors(_, range) => range.len(),
            };
            if !step(at, piece) {
                return Err(DiskFailure { moved: (at - offset) as usize });
            }
            at += moved as u32;
        }
        Ok((at - offset) as usize)
    }
}

impl Drop for OpenInode {
    fn drop(&mut self) {
        let mut meta = META.lock();
        let Some(m) = meta.as_mut() else { return };
        if m.open.get(&self.inode.sector()).is_some_and(|weak| weak.strong_count() == 0) {
            m.open.remove(&self.inode.sector());
            if m.open.is_empty() {
                // An empty map still holds a node: give it back (leak checks count heap bytes).
                m.open = BTreeMap::new();
            }
        }
        if self.removed.load(Ordering::Acquire)
            && let Err(error) = m.fs.release(m.device, self.inode)
        {
            println!("filesys: cannot free the sectors of a removed file: {error}");
        }
    }
}

/// An open file: a shared inode plus this handle's own position.
pub struct File {
    inode: Arc<OpenInode>,
    position: u32,
    denies_write: bool,
}

impl File {
    fn new(inode: Arc<OpenInode>) -> File {
        OPEN_FILES.fetch_add(1, Ordering::Relaxed);
        File { inode, position: 0, denies_write: false }
    }

    /// A new handle on the same file, at position 0 (what `mmap` keeps).
    pub fn reopen(&self) -> File {
        File::new(self.inode.clone())
    }

    pub fn inode(&self) -> &Arc<OpenInode> {
        &self.inode
    }

    pub fn length(&self) -> u32 {
        self.inode.length()
    }

    /// Reads at the position and moves it past what was read, even if the disk failed.
    pub fn read(&mut self, buffer: &mut [u8]) -> Result<usize, DiskFailure> {
        let result = self.inode.read_at(self.position, buffer);
        self.position += result.unwrap_or_else(|failure| failure.moved) as u32;
        result
    }

    /// Writes at the position and moves it past what was written, even if the disk failed.
    pub fn write(&mut self, buffer: &[u8]) -> Result<usize, DiskFailure> {
        let result = self.inode.write_at(self.position, buffer);
        self.position += result.unwrap_or_else(|failure| failure.moved) as u32;
        result
    }

    pub fn seek(&mut self, position: u32) {
        self.position = position;
    }

    pub fn tell(&self) -> u32 {
        self.position
    }

    /// Makes writes to this file fail (return 0) until this handle closes: a running
    /// executable must not change under its process.
    pub fn deny_write(&mut self) {
        if !self.denies_write {
            self.denies_write = true;
            self.inode.deny_writes.fetch_add(1, Ordering::AcqRel);
        }
    }
}

impl Drop for File {
    fn drop(&mut self) {
        if self.denies_write {
            self.inode.deny_writes.fetch_sub(1, Ordering::AcqRel);
        }
        OPEN_FILES.fetch_sub(1, Ordering::Relaxed);
    }
}
