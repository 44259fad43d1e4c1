//! How the kernel reads and writes user memory during a system call.
//!
//! Every user address is checked against the supplemental page table (present, or a valid
//! stack growth; writable when written), and each page is faulted in and pinned for the
//! moment of the copy, so no page fault can happen inside the kernel and eviction cannot
//! take the page mid-copy. The copy goes through the user address itself, so the CPU sets
//! the page's accessed and dirty bits as for any user access. File and device I/O use
//! kernel buffers: no user page is touched while a file-system or device lock is held.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::frame;
use super::page::{AddressSpace, Page};
use crate::memory::{PAGE_SIZE, PHYS_BASE};

/// A user address the process may not use this way. The system call kills the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadAddress;

/// The user memory of the running process during one system call.
pub struct UserMemory<'a> {
    space: &'a Arc<AddressSpace>,
    /// The user stack pointer at system-call entry: faults within 32 bytes below it (or
    /// above it) in the stack region grow the stack.
    esp: usize,
}

impl<'a> UserMemory<'a> {
    pub fn new(space: &'a Arc<AddressSpace>, esp: usize) -> UserMemory<'a> {
        UserMemory { space, esp }
    }

    fn page(&self, address: usize, write: bool) -> Result<Arc<Page>, BadAddress> {
        if address >= PHYS_BASE {
            return Err(BadAddress);
        }
        let page = match super::page_or_stack_growth(self.space, address, self.esp) {
            Some(page) => page,
            None => return Err(BadAddress),
        };
        if write && !page.writable { Err(BadAddress) } else { Ok(page) }
    }

    /// Runs `copy` on the part of `[address, address + len)` that lies in each page, with
    /// that page resident and pinned.
    fn each_page(&self, address: usize, len: usize, write: bool, mut copy: impl FnMut(usize, usize, usize)) -> Result<(), BadAddress> {
        let end = address.checked_add(len).ok_or(BadAddress)?;
        let mut at = address;
        while at < end {
            let page = self.page(at, write)?;
            let chunk = (PAGE_SIZE - at % PAGE_SIZE).min(end - at);
            let frame = super::pin(self.space, &page).map_err(|_| BadAddress)?;
            copy(at, chunk, at - address);
            frame::unpin(frame);
            at += chunk;
        }
        Ok(())
    }

    /// Copies user memory at `address` into `out`.
    pub fn read(&self, address: usize, out: &mut [u8]) -> Result<(), BadAddress> {
        self.each_page(address, out.len(), false, |at, len, done| {
            // SAFETY: `[at, at + len)` lies in one pinned, mapped user page of the running
            // process, whose page directory is active.
            unsafe { core::ptr::copy_nonoverlapping(at as *const u8, out[done..].as_mut_ptr(), len) };
        })
    }

    /// Copies `data` to user memory at `address`.
    pub fn write(&self, address: usize, data: &[u8]) -> Result<(), BadAddress> {
        self.each_page(address, data.len(), true, |at, len, done| {
            // SAFETY: as in `read`; the page is writable (checked against its table entry).
            unsafe { core::ptr::copy_nonoverlapping(data[done..].as_ptr(), at as *mut u8, len) };
        })
    }

    /// Checks that `[address, address + len)` could be accessed, without touching it (no
    /// page is faulted in, and a stack page the buffer would grow is not made yet): lets a
    /// system call refuse a bad buffer before it does anything.
    pub fn check(&self, address: usize, len: usize, write: bool) -> Result<(), BadAddress> {
        let end = address.checked_add(len).ok_or(BadAddress)?;
        let mut at = address - address % PAGE_SIZE;
        while at < end {
            let first = at.max(address);
            let usable = match self.space.lookup(at) {
                Some(page) => page.writable || !write,
                // Stack pages are writable.
                None => super::grows_stack(first, self.esp),
            };
            if first >= PHYS_BASE || !usable {
                return Err(BadAddress);
            }
            at += PAGE_SIZE;
        }
        Ok(())
    }

    pub fn read_u32(&self, address: usize) -> Result<u32, BadAddress> {
        let mut bytes = [0u8; 4];
        self.read(address, &mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    /// Reads a NUL-terminated string of at most `max` bytes (without the NUL). A string that
    /// runs into invalid memory is a bad address; one longer than `max` is `Ok(None)`.
    pub fn read_string(&self, address: usize, max: usize) -> Result<Option<String>, BadAddress> {
        let mut bytes = Vec::new();
        let mut at = address;
        loop {
            let chunk = PAGE_SIZE - at % PAGE_SIZE;
            let mut buffer = [0u8; 256];
            let take = chunk.min(buffer.len());
            self.read(at, &mut buffer[..take])?;
            if let Some(end) = buffer[..take].iter().position(|&b| b == 0) {
                bytes.extend_from_slice(&buffer[..end]);
                break;
            }
            bytes.extend_from_slice(&buffer[..take]);
            if bytes.len() > max {
                return Ok(None);
            }
            at += take;
        }
        if bytes.len() > max {
            return Ok(None);
        }
        Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
    }
}
