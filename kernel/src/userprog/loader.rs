//! Loading an executable: check its ELF headers (`rintos-elf`), record every page of its
//! loadable segments in the supplemental page table (nothing is read yet: pages come in on
//! first touch), and build the initial stack with the program's arguments.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use rintos_elf::HEADER_SIZE;

use super::Process;
use crate::fs;
use crate::memory::{PAGE_SIZE, PHYS_BASE};
use crate::vm::page::{Backing, Kind, PAGE_RECORD_BYTES, Page};
use crate::vm::usermem::UserMemory;

/// Why a program could not be loaded (`exec` then returns -1; nothing is printed, as the
/// classic tests expect).
#[derive(Debug)]
pub enum LoadError {
    /// No such file.
    Open,
    /// The disk failed to read the executable's headers.
    Read,
    /// Not an executable Rintos accepts (see `rintos-elf`).
    Elf,
    /// Two segments claim the same page.
    Overlap,
    /// The arguments do not fit in the first stack page.
    ArgumentsTooLong,
    /// No memory for a page table or the first stack page.
    OutOfMemory,
}

/// Loads `words[0]` into `process` (whose address space is active) with arguments `words`.
/// Returns the entry point and the initial stack pointer.
pub fn load(process: &Process, words: &[String]) -> Result<(u32, u32), LoadError> {
    let mut file = fs::open(&words[0]).map_err(|_| LoadError::Open)?;
    let inode = file.inode().clone();
    let length = u64::from(file.length());
    let mut header = [0u8; HEADER_SIZE];
    let read = inode.read_at(0, &mut header).map_err(|_| LoadError::Read)?;
    let header = rintos_elf::parse_header(&header[..read], length).map_err(|_| LoadError::Elf)?;
    let mut table = vec![0u8; header.table_size()];
    if inode.read_at(header.program_header_offset, &mut table).map_err(|_| LoadError::Read)? != table.len() {
        return Err(LoadError::Elf);
    }
    let segments = rintos_elf::parse_segments(&header, &table, length).map_err(|_| LoadError::Elf)?;
    // A segment may ask for up to 3 GB of zeros: its pages cost no memory until touched, but
    // their records do.
    let pages: usize = segments.iter().map(|segment| segment.page_count as usize).sum();
    if !crate::memory::heap_can_afford(pages.saturating_mul(PAGE_RECORD_BYTES)) {
        return Err(LoadError::OutOfMemory);
    }
    for segment in &segments {
        for index in 0..segment.page_count {
            let within = index * PAGE_SIZE as u32;
            let read_bytes = segment.file_bytes.saturating_sub(within).min(PAGE_SIZE as u32);
            let backing = if read_bytes > 0 {
                Backing::File { inode: inode.clone(), offset: segment.file_offset + within, read_bytes }
            } else {
                Backing::Zero
            };
            let upage = (segment.page_start + within) as usize;
            process.space.directory.prepare(upage).map_err(|_| LoadError::OutOfMemory)?;
            process.space.insert(Page::new(upage, segment.writable, Kind::Anonymous, backing)).map_err(|_| LoadError::Overlap)?;
        }
    }
    let esp = build_stack(process, words)?;
    file.deny_write();
    *process.executable.lock() = Some(file);
    Ok((header.entry, esp))
}

/// Lays out the arguments as the classic kernel does, top down from PHYS_BASE: the strings,
/// padding to a multiple of 4, `argv[argc] = NULL`, `argv[argc-1]` .. `argv[0]`, `argv`,
/// `argc`, and a fake return address. Returns the stack pointer (pointing at the latter).
fn build_stack(process: &Process, words: &[String]) -> Result<u32, LoadError> {
    let top = PHYS_BASE;
    let strings_size: usize = words.iter().map(|word| word.len() + 1).sum();
    let strings_start = top - strings_size;
    let pointers_start = (strings_start & !3) - 4 * (words.len() + 1);
    let esp = pointers_start - 12;
    if top - esp > PAGE_SIZE {
        return Err(LoadError::ArgumentsTooLong);
    }
    let mut image = vec![0u8; top - esp];
    let mut put = |address: usize, bytes: &[u8]| {
        let at = address - esp;
        image[at..at + bytes.len()].copy_from_slice(bytes);
    };
    let mut string_address = strings_start;
    let mut argv: Vec<u32> = Vec::new();
    for word in words {
        put(string_address, word.as_bytes());
        argv.push(string_address as u32);
        string_address += word.len() + 1;
    }
    argv.push(0);
    for (index, pointer) in argv.iter().enumerate() {
        put(pointers_start + 4 * index, &pointer.to_le_bytes());
    }
    put(esp + 8, &(pointers_start as u32).to_le_bytes());
    put(esp + 4, &(words.len() as u32).to_le_bytes());
    process.space.directory.prepare(top - PAGE_SIZE).map_err(|_| LoadError::OutOfMemory)?;
    let stack = Page::new(top - PAGE_SIZE, true, Kind::Anonymous, Backing::Zero);
    process.space.insert(stack).map_err(|_| LoadError::Overlap)?;
    UserMemory::new(&process.space, esp).write(esp, &image).map_err(|_| LoadError::OutOfMemory)?;
    Ok(esp as u32)
}
