//! The running program's own memory map, read from its ELF headers (which the text segment
//! maps at `USER_CODE_BASE`), so that the fuzzer knows which addresses the kernel must
//! accept, and how.

use rintos_abi::{PAGE_SIZE, PHYS_BASE, STACK_BOTTOM, USER_CODE_BASE};
use rintos_user::boundary;

const PAGE: u32 = PAGE_SIZE as u32;
const MAX_MAPPINGS: usize = 16;

/// What the process may do with one page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Not mapped: any use kills the process.
    None,
    ReadOnly,
    ReadWrite,
    /// A stack page below the first: mapped if the stack ever grew there, or valid as a
    /// growth if near the stack pointer; the program cannot tell.
    Unknown,
}

/// What the kernel must do with an argument: accept it, kill the caller, or either.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    Fatal,
    Unknown,
}

/// A mapping the program made with `mmap`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping {
    pub id: i32,
    pub start: u32,
    pub pages: u32,
}

/// The memory map: the two segments, the stack, and the program's mappings.
pub struct Layout {
    text: (u32, u32),
    data: (u32, u32),
    /// The memory the kernel may be asked to write: the boundary-test area at the very end
    /// of bss. Nothing else of the program lives there.
    pub arena: (u32, u32),
    mappings: [Option<Mapping>; MAX_MAPPINGS],
}

fn word(address: u32) -> u32 {
    // SAFETY: the ELF and program headers are in the text segment, mapped and readable
    // for the whole life of the process.
    unsafe { core::ptr::with_exposed_provenance::<u32>(address as usize).read_unaligned() }
}

fn page_span(start: u32, size: u32) -> (u32, u32) {
    (
        start & !(PAGE - 1),
        start.saturating_add(size).next_multiple_of(PAGE),
    )
}

impl Layout {
    /// Reads the program's loadable segments from its own headers.
    pub fn of_this_program() -> Layout {
        let phoff = word(USER_CODE_BASE + 28);
        let phnum = word(USER_CODE_BASE + 44) & 0xFFFF;
        let (mut text, mut data) = ((0, 0), (0, 0));
        for index in 0..phnum {
            let phdr = USER_CODE_BASE + phoff + 32 * index;
            let (kind, vaddr, memsz, flags) =
                (word(phdr), word(phdr + 8), word(phdr + 20), word(phdr + 24));
            if kind == 1 {
                let span = page_span(vaddr, memsz);
                if flags & 2 != 0 {
                    data = span
                } else {
                    text = span
                }
            }
        }
        // The area has at least 2048 bytes before its inner page boundary.
        let arena_start = boundary::boundary_area() as u32 - 2048;
        let arena_end = boundary::bad_boundary() as u32;
        Layout {
            text,
            data,
            arena: (arena_start, arena_end),
            mappings: [None; MAX_MAPPINGS],
        }
    }

    /// The access the process has to the page holding `address`.
    pub fn access(&self, address: u32) -> Access {
        let inside = |(start, end): (u32, u32)| start <= address && address < end;
        if address >= PHYS_BASE {
            Access::None
        } else if inside(self.text) {
            Access::ReadOnly
        } else if inside(self.data) || address >= PHYS_BASE - PAGE {
            Access::ReadWrite
        } else if address >= STACK_BOTTOM {
            Access::Unknown
        } else if self
            .mappings
            .iter()
            .flatten()
            .any(|m| m.start <= address && address - m.start < m.pages * PAGE)
        {
            Access::ReadWrite
        } else {
            Access::None
        }
    }

    /// What the kernel must do with a buffer of `len` bytes at `address` that it reads, or
    /// writes if `write`. Like the kernel, an empty buffer is never looked at.
    pub fn buffer(&self, address: u32, len: u32, write: bool) -> Verdict {
        if len == 0 {
            return Verdict::Valid;
        }
        let Some(last) = address.checked_add(len - 1) else {
            return Verdict::Fatal;
        };
        if u64::from(address) + u64::from(len) > u64::from(u32::MAX) {
            // The end does not fit in an address: a kernel computing it must refuse.
            return Verdict::Fatal;
        }
        let mut verdict = Verdict::Valid;
        let mut page = address & !(PAGE - 1);
        loop {
            match self.access(page) {
                Access::None => return Verdict::Fatal,
                Access::ReadOnly if write => return Verdict::Fatal,
                Access::Unknown => verdict = Verdict::Unknown,
                _ => {}
            }
            if page >= last & !(PAGE - 1) {
                return verdict;
            }
            page += PAGE;
        }
    }

    /// What the kernel must do with a C string at `address`: valid if it ends in mapped
    /// memory, fatal if it runs into unmapped memory within a page (the kernel reads names
    /// and command lines of up to a page), unknown beyond that or through stack pages.
    pub fn string(&self, address: u32) -> Verdict {
        const SURELY_READ: u32 = PAGE;
        const SCAN_LIMIT: u32 = 2 * PAGE;
        let mut at = address;
        while at.wrapping_sub(address) < SCAN_LIMIT {
            match self.access(at) {
                Access::None => {
                    return if at - address < SURELY_READ {
                        Verdict::Fatal
                    } else {
                        Verdict::Unknown
                    };
                }
                Access::Unknown => return Verdict::Unknown,
                Access::ReadOnly | Access::ReadWrite => {}
            }
            // SAFETY: the page is mapped and readable (the layout says so).
            if unsafe { core::ptr::with_exposed_provenance::<u8>(at as usize).read_volatile() } == 0
            {
                return Verdict::Valid;
            }
            let Some(next) = at.checked_add(1) else {
                return Verdict::Fatal;
            };
            at = next;
        }
        Verdict::Unknown
    }

    /// Records a successful `mmap`.
    pub fn add_mapping(&mut self, mapping: Mapping) {
        if let Some(slot) = self.mappings.iter_mut().find(|slot| slot.is_none()) {
            *slot = Some(mapping);
        }
    }

    /// Forgets mapping `id`, if the program has it.
    pub fn remove_mapping(&mut self, id: i32) {
        if let Some(slot) = self
            .mappings
            .iter_mut()
            .find(|slot| slot.is_some_and(|m| m.id == id))
        {
            *slot = None;
        }
    }

    /// The `index`-th live mapping, counting round.
    pub fn some_mapping(&self, index: usize) -> Option<Mapping> {
        let live = self.mappings.iter().flatten().count();
        (live > 0).then(|| {
            *self
                .mappings
                .iter()
                .flatten()
                .nth(index % live)
                .expect("counted")
        })
    }

    /// The first address after the data segment (unmapped unless a mapping is there).
    pub fn data_end(&self) -> u32 {
        self.data.1
    }

    pub fn text_start(&self) -> u32 {
        self.text.0
    }
}
