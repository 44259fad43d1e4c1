//! The supplemental page table: for every user page of a process, where its data lives
//! when it is not in memory, whether it is writable, and whether it is in memory now.

use alloc::collections::BTreeMap;
use alloc::sync::Arc;

use super::frame::FrameId;
use super::swap::SwapSlot;
use rintos_vmcore::sequence::Sequence;

use crate::arch::paging::PageDirectory;
use crate::fs::OpenInode;
use crate::memory::PAGE_SIZE;
use crate::sync::SpinLock;
use crate::task::Event;

/// Where a page's data is when no frame holds it.
#[derive(Clone)]
pub enum Backing {
    /// All zeros (bss past the file, a new stack page): created on first touch.
    Zero,
    /// `read_bytes` bytes of a file at `offset`, the rest of the page zero.
    File { inode: Arc<OpenInode>, offset: u32, read_bytes: u32 },
    /// Written out to a swap slot.
    Swap(SwapSlot),
    /// Read back from swap into its frame, which now owns the slot (see
    /// `frame::CleanCopy`): while the page stays clean the slot still holds its content, and
    /// evicting it writes nothing.
    Memory,
}

impl Backing {
    /// Whether filling a page from here reads the disk (a major fault).
    pub fn reads_disk(&self) -> bool {
        matches!(self, Backing::File { .. } | Backing::Swap(_))
    }
}

/// What kind of page this is, which decides where a dirty copy goes on eviction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Code or data of the executable, or the stack: dirty pages go to swap.
    Anonymous,
    /// A page of a memory-mapped file: dirty pages go back to the file, never to swap.
    Mapped,
}

/// Whether the page is in memory.
#[derive(Clone)]
pub enum Residence {
    Absent,
    /// A fault is filling a frame for it; others wait for the event.
    Loading(Arc<Event>),
    /// In this frame (which may itself be busy: the frame's state says).
    Present(FrameId),
}

pub struct PageState {
    pub backing: Backing,
    pub residence: Residence,
}

/// Heap that one page's record costs, generously: the `Page` behind its `Arc`, and its
/// place in the supplemental page table. The loader, `mmap` and stack growth ask
/// `memory::heap_can_afford` for this much per page before they add pages.
pub const PAGE_RECORD_BYTES: usize = 128;

/// One page of one process's address space.
pub struct Page {
    pub upage: usize,
    pub writable: bool,
    pub kind: Kind,
    pub state: SpinLock<PageState>,
}

impl Page {
    pub fn new(upage: usize, writable: bool, kind: Kind, backing: Backing) -> Arc<Page> {
        debug_assert!(upage % PAGE_SIZE == 0);
        Arc::new(Page { upage, writable, kind, state: SpinLock::new("page", PageState { backing, residence: Residence::Absent }) })
    }

    /// The key under which identical read-only executable pages share a frame: the file's
    /// inode and the offset. `None` for pages that must not be shared.
    pub fn share_key(&self) -> Option<super::share::ShareKey> {
        if self.writable || self.kind != Kind::Anonymous || !super::sharing_enabled() {
            return None;
        }
        match &self.state.lock().backing {
            Backing::File { inode, offset, read_bytes } => Some(super::share::ShareKey::new(inode, *offset, *read_bytes)),
            _ => None,
        }
    }
}

/// A page that overlaps one already in the address space.
#[derive(Debug)]
pub struct Overlap;

/// A process's address space: the hardware page directory, the supplemental page table, and
/// the run of its faults that read pages back (see `vmcore::sequence`). The directory is
/// shared with the process's thread, which the context switch activates.
pub struct AddressSpace {
    pub directory: Arc<PageDirectory>,
    pages: SpinLock<BTreeMap<usize, Arc<Page>>>,
    run: SpinLock<Sequence>,
}

impl AddressSpace {
    pub fn new() -> Option<Arc<AddressSpace>> {
        let directory = Arc::new(PageDirectory::new().ok()?);
        Some(Arc::new(AddressSpace {
            directory,
            pages: SpinLock::new("page table", BTreeMap::new()),
            run: SpinLock::new("fault run", Sequence::default()),
        }))
    }

    /// How load control (`loadcontrol`) names this space's process: the space's address, which
    /// no other live space has.
    pub fn token_name(&self) -> usize {
        core::ptr::from_ref(self) as usize
    }

    /// Notes that a fault read the page at `upage` back from swap or a file.
    pub fn note_read_back(&self, upage: usize) {
        self.run.lock().note(upage / PAGE_SIZE);
    }

    /// Whether this space's faults are reading its pages back in order (see `readahead`).
    pub fn streaming(&self) -> bool {
        self.run.lock().streaming()
    }

    /// The pages this space's run of read-back faults has passed, best victims first.
    pub fn behind_run(&self) -> impl Iterator<Item = usize> {
        let run = *self.run.lock();
        run.behind().map(|page| page * PAGE_SIZE)
    }

    /// Adds a page; fails if the address is taken.
    pub fn insert(&self, page: Arc<Page>) -> Result<(), Overlap> {
        let mut pages = self.pages.lock();
        if pages.contains_key(&page.upage) {
            return Err(Overlap);
        }
        pages.insert(page.upage, page);
        Ok(())
    }

    /// The page at user address `upage` (page-aligned), if any.
    pub fn lookup(&self, upage: usize) -> Option<Arc<Page>> {
        self.pages.lock().get(&upage).cloned()
    }

    /// Whether every page of `[start, start + count pages)` is unused.
    pub fn range_is_free(&self, start: usize, count: usize) -> bool {
        let pages = self.pages.lock();
        pages.range(start..start + count * PAGE_SIZE).next().is_none()
    }

    /// Removes and returns the page at `upage`.
    pub fn remove(&self, upage: usize) -> Option<Arc<Page>> {
        self.pages.lock().remove(&upage)
    }

    /// How many pages are in a frame now, and how many are backed by a swap slot:
    /// `(resident, swapped)`.
    pub fn resident_and_swapped(&self) -> (usize, usize) {
        let pages = self.pages.lock();
        pages.values().fold((0, 0), |(resident, swapped), page| {
            let state = page.state.lock();
            (
                resident + usize::from(matches!(state.residence, Residence::Present(_))),
                swapped + usize::from(matches!(state.backing, Backing::Swap(_))),
            )
        })
    }

    /// Takes one page out of the table (exit takes them all, one at a time: a big table
    /// taken apart at once would keep the lock, and interrupts, off for long).
    pub fn take_any(&self) -> Option<Arc<Page>> {
        self.pages.lock().pop_first().map(|(_, page)| page)
    }
}
