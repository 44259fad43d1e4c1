//! Memory-mapped files: `mmap` maps a whole file at a page-aligned address, lazily; the file
//! itself is the backing store. Dirty pages go back to the file (on eviction, `munmap` and
//! exit), never to swap; the tail of the last page past the end of the file reads as zero
//! and is never written back.

use alloc::sync::Arc;

use super::page::{AddressSpace, Backing, Kind, Page};
use crate::fs::File;
use crate::memory::{PAGE_SIZE, PHYS_BASE};

/// One mapping of a process.
pub struct Mapping {
    pub id: i32,
    pub start: usize,
    pub pages: usize,
    /// The mapping's own handle on the file (closing or removing it leaves us unaffected).
    _file: File,
}

/// Why `mmap` refused.
#[derive(Debug, PartialEq, Eq)]
pub enum MapError {
    /// Address 0, misaligned, or the range leaves user space.
    BadAddress,
    /// The file is empty.
    EmptyFile,
    /// The range overlaps a page already in use.
    Overlap,
    /// The kernel has no heap left for the mapping's page records.
    OutOfMemory,
}

/// Maps all of `file` (its own reopened handle) at `start` in `space`.
pub fn map(space: &Arc<AddressSpace>, id: i32, file: File, start: usize) -> Result<Mapping, MapError> {
    let length = file.length() as usize;
    if length == 0 {
        return Err(MapError::EmptyFile);
    }
    let pages = length.div_ceil(PAGE_SIZE);
    let end = start.checked_add(pages * PAGE_SIZE).ok_or(MapError::BadAddress)?;
    if start == 0 || start % PAGE_SIZE != 0 || end > PHYS_BASE - rintos_abi::STACK_LIMIT as usize {
        return Err(MapError::BadAddress);
    }
    if !space.range_is_free(start, pages) {
        return Err(MapError::Overlap);
    }
    if !crate::memory::heap_can_afford(pages * super::page::PAGE_RECORD_BYTES) {
        return Err(MapError::OutOfMemory);
    }
    for index in 0..pages {
        let offset = index * PAGE_SIZE;
        let backing = Backing::File {
            inode: file.inode().clone(),
            offset: offset as u32,
            read_bytes: (length - offset).min(PAGE_SIZE) as u32,
        };
        let page = Page::new(start + offset, true, Kind::Mapped, backing);
        space.insert(page).expect("the range was checked to be free");
    }
    Ok(Mapping { id, start, pages, _file: file })
}

/// Unmaps `mapping`, writing its dirty pages back.
pub async fn unmap(space: &Arc<AddressSpace>, mapping: Mapping) {
    for index in 0..mapping.pages {
        if let Some(page) = space.remove(mapping.start + index * PAGE_SIZE) {
            super::release::release(space, &page).await;
        }
    }
}

/// Writes the file's part of a dirty mapped page back to the file.
pub async fn write_back(backing: &Backing, content: &[u8]) -> Result<(), crate::fs::FsError> {
    let Backing::File { inode, offset, read_bytes } = backing else {
        unreachable!("a mapped page is backed by its file")
    };
    inode.write_page(*offset, *read_bytes as usize, content).await
}
