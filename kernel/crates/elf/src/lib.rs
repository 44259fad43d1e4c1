//! Which files Rintos runs: the rules of the classic Pintos loader, applied to headers that
//! the `elf` crate parses. The kernel reads the file header, asks [`parse_header`] where the
//! program headers are, reads those, and asks [`parse_segments`] what to map. Everything a
//! hostile or truncated file can say ends in an [`ElfError`], never in a panic.
#![no_std]

extern crate alloc;

use alloc::vec::Vec;
use core::fmt;

use elf::abi::{EM_386, ET_EXEC, PF_W, PT_DYNAMIC, PT_INTERP, PT_LOAD, PT_SHLIB};
use elf::endian::LittleEndian;
use elf::file::{Class, FileHeader};
use elf::segment::SegmentTable;
use rintos_abi::{PAGE_SIZE, PHYS_BASE as USER_TOP};

pub use rintos_abi::{ELF32_HEADER_SIZE as HEADER_SIZE, ELF32_PROGRAM_HEADER_SIZE as PROGRAM_HEADER_SIZE};
/// Most program headers a Pintos executable may have.
pub const MAX_PROGRAM_HEADERS: u16 = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElfError {
    /// Not an ELF file, or not a 32-bit little-endian version-1 one.
    NotElf32,
    /// Not an executable (`e_type` is not ET_EXEC).
    NotExecutable,
    /// Built for another machine than the i386.
    WrongMachine,
    /// Program headers of an unexpected size or number.
    BadProgramHeaderTable,
    /// The file needs a dynamic linker or shared libraries (PT_DYNAMIC, PT_INTERP, PT_SHLIB).
    Dynamic,
    /// A loadable segment breaks a rule: misaligned, beyond the file, empty, outside user
    /// space, or at page 0.
    BadSegment { index: usize },
    /// The file is shorter than its headers say.
    Truncated,
}

impl fmt::Display for ElfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ElfError::NotElf32 => f.write_str("not a 32-bit little-endian ELF file"),
            ElfError::NotExecutable => f.write_str("not an executable"),
            ElfError::WrongMachine => f.write_str("not an i386 program"),
            ElfError::BadProgramHeaderTable => f.write_str("bad program header table"),
            ElfError::Dynamic => f.write_str("dynamically linked programs are not supported"),
            ElfError::BadSegment { index } => write!(f, "bad loadable segment (program header {index})"),
            ElfError::Truncated => f.write_str("file is truncated"),
        }
    }
}

/// Where the program headers are, from a valid file header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub entry: u32,
    pub program_header_offset: u32,
    pub program_header_count: u16,
}

impl Header {
    /// Bytes of the program-header table.
    pub fn table_size(&self) -> usize {
        usize::from(self.program_header_count) * PROGRAM_HEADER_SIZE
    }
}

/// One loadable segment: the pages `[page_start, page_start + page_count * 4096)` get their
/// first `file_bytes` bytes from the file at `file_offset` (page-aligned); the rest is zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub page_start: u32,
    pub page_count: u32,
    pub file_offset: u32,
    pub file_bytes: u32,
    pub writable: bool,
}

/// Checks the file header of a file of `file_len` bytes.
pub fn parse_header(bytes: &[u8], file_len: u64) -> Result<Header, ElfError> {
    let bytes = bytes.get(..HEADER_SIZE).ok_or(ElfError::Truncated)?;
    let ident = elf::file::parse_ident::<LittleEndian>(&bytes[..elf::abi::EI_NIDENT]).map_err(|_| ElfError::NotElf32)?;
    if ident.1 != Class::ELF32 || bytes[elf::abi::EI_DATA] != elf::abi::ELFDATA2LSB {
        return Err(ElfError::NotElf32);
    }
    let header = FileHeader::parse_tail(ident, &bytes[elf::abi::EI_NIDENT..]).map_err(|_| ElfError::NotElf32)?;
    if header.version != 1 {
        return Err(ElfError::NotElf32);
    }
    if header.e_type != ET_EXEC {
        return Err(ElfError::NotExecutable);
    }
    if header.e_machine != EM_386 {
        return Err(ElfError::WrongMachine);
    }
    if usize::from(header.e_phentsize) != PROGRAM_HEADER_SIZE || header.e_phnum > MAX_PROGRAM_HEADERS {
        return Err(ElfError::BadProgramHeaderTable);
    }
    let parsed = Header {
        entry: header.e_entry as u32,
        program_header_offset: header.e_phoff as u32,
        program_header_count: header.e_phnum,
    };
    if header.e_phoff + parsed.table_size() as u64 > file_len {
        return Err(ElfError::Truncated);
    }
    Ok(parsed)
}

/// Checks the program headers (`table` = the bytes at the header's offset) of a file of
/// `file_len` bytes and returns the segments to map.
pub fn parse_segments(header: &Header, table: &[u8], file_len: u64) -> Result<Vec<Segment>, ElfError> {
    let table = table.get(..header.table_size()).ok_or(ElfError::Truncated)?;
    let mut segments = Vec::new();
    for (index, phdr) in SegmentTable::new(LittleEndian, Class::ELF32, table).iter().enumerate() {
        match phdr.p_type {
            PT_LOAD => segments.push(check_load(index, &phdr, file_len)?),
            PT_DYNAMIC | PT_INTERP | PT_SHLIB => return Err(ElfError::Dynamic),
            _ => {}
        }
    }
    Ok(segments)
}

fn check_load(index: usize, phdr: &elf::segment::ProgramHeader, file_len: u64) -> Result<Segment, ElfError> {
    let bad = ElfError::BadSegment { index };
    let (offset, vaddr, file_size, mem_size) = (phdr.p_offset, phdr.p_vaddr, phdr.p_filesz, phdr.p_memsz);
    let page = PAGE_SIZE as u64;
    if offset % page != vaddr % page || offset > file_len || mem_size < file_size || mem_size == 0 {
        return Err(bad);
    }
    let end = vaddr.checked_add(mem_size).ok_or(bad)?;
    if vaddr < page || end > u64::from(USER_TOP) {
        return Err(bad);
    }
    // The file bytes must exist (the classic loader fails the read of a truncated segment).
    if offset + file_size > file_len {
        return Err(ElfError::Truncated);
    }
    let page_start = vaddr - vaddr % page;
    let page_end = end.div_ceil(page) * page;
    let file_bytes = if file_size == 0 { 0 } else { vaddr % page + file_size };
    Ok(Segment {
        page_start: page_start as u32,
        page_count: ((page_end - page_start) / page) as u32,
        file_offset: (offset - offset % page) as u32,
        file_bytes: file_bytes as u32,
        writable: phdr.p_flags & PF_W != 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// A minimal valid executable header followed by `phdrs`.
    fn image(phdrs: &[[u32; 8]]) -> Vec<u8> {
        let mut bytes = vec![0u8; HEADER_SIZE];
        bytes[..4].copy_from_slice(b"\x7fELF");
        bytes[4] = 1; // ELFCLASS32
        bytes[5] = 1; // little-endian
        bytes[6] = 1; // version
        bytes[16..18].copy_from_slice(&ET_EXEC.to_le_bytes());
        bytes[18..20].copy_from_slice(&EM_386.to_le_bytes());
        bytes[20..24].copy_from_slice(&1u32.to_le_bytes());
        bytes[24..28].copy_from_slice(&0x0804_8080u32.to_le_bytes());
        bytes[28..32].copy_from_slice(&(HEADER_SIZE as u32).to_le_bytes());
        bytes[40..42].copy_from_slice(&(HEADER_SIZE as u16).to_le_bytes());
        bytes[42..44].copy_from_slice(&(PROGRAM_HEADER_SIZE as u16).to_le_bytes());
        bytes[44..46].copy_from_slice(&(phdrs.len() as u16).to_le_bytes());
        for phdr in phdrs {
            for word in phdr {
                bytes.extend_from_slice(&word.to_le_bytes());
            }
        }
        bytes.resize(0x3000, 0);
        bytes
    }

    const TEXT: [u32; 8] = [PT_LOAD, 0, 0x0804_8000, 0x0804_8000, 0x1234, 0x1234, 5, 0x1000];
    const DATA: [u32; 8] = [PT_LOAD, 0x2010, 0x0804_a010, 0x0804_a010, 0x20, 0x3000, 6, 0x1000];

    fn load(bytes: &[u8]) -> Result<Vec<Segment>, ElfError> {
        let header = parse_header(bytes, bytes.len() as u64)?;
        let start = header.program_header_offset as usize;
        parse_segments(&header, &bytes[start..], bytes.len() as u64)
    }

    #[test]
    fn maps_text_and_data_with_their_page_ranges() {
        let segments = load(&image(&[TEXT, DATA])).unwrap();
        assert_eq!(
            segments,
            vec![
                Segment { page_start: 0x0804_8000, page_count: 2, file_offset: 0, file_bytes: 0x1234, writable: false },
                Segment { page_start: 0x0804_a000, page_count: 4, file_offset: 0x2000, file_bytes: 0x30, writable: true },
            ]
        );
    }

    #[test]
    fn a_bss_only_segment_reads_nothing_from_the_file() {
        let bss = [PT_LOAD, 0x1000, 0x0805_0000, 0, 0, 0x2000, 6, 0x1000];
        assert_eq!(load(&image(&[bss])).unwrap()[0].file_bytes, 0);
    }

    #[test]
    fn ignores_notes_and_stack_markers_but_rejects_dynamic_linking() {
        let note = [4, 0, 0, 0, 0, 0, 0, 0];
        let gnu_stack = [0x6474_e551, 0, 0, 0, 0, 0, 6, 16];
        assert_eq!(load(&image(&[note, TEXT, gnu_stack])).unwrap().len(), 1);
        for kind in [PT_DYNAMIC, PT_INTERP, PT_SHLIB] {
            let mut phdr = TEXT;
            phdr[0] = kind;
            assert_eq!(load(&image(&[TEXT, phdr])), Err(ElfError::Dynamic));
        }
    }

    #[test]
    fn rejects_bad_file_headers() {
        let good = image(&[TEXT]);
        let mut cases: Vec<(Vec<u8>, ElfError)> = Vec::new();
        let mut patched = |at: usize, bytes: &[u8], error| {
            let mut copy = good.clone();
            copy[at..at + bytes.len()].copy_from_slice(bytes);
            cases.push((copy, error));
        };
        patched(0, b"\x7fELG", ElfError::NotElf32);
        patched(4, &[2], ElfError::NotElf32); // 64-bit
        patched(5, &[2], ElfError::NotElf32); // big-endian
        patched(16, &3u16.to_le_bytes(), ElfError::NotExecutable); // shared object
        patched(18, &62u16.to_le_bytes(), ElfError::WrongMachine); // x86-64
        patched(20, &2u32.to_le_bytes(), ElfError::NotElf32);
        patched(42, &56u16.to_le_bytes(), ElfError::BadProgramHeaderTable);
        patched(44, &1025u16.to_le_bytes(), ElfError::BadProgramHeaderTable);
        patched(28, &0xFFFF_0000u32.to_le_bytes(), ElfError::Truncated);
        for (bytes, error) in cases {
            assert_eq!(load(&bytes), Err(error));
        }
        assert_eq!(load(&good[..30]), Err(ElfError::Truncated));
    }

    #[test]
    fn rejects_every_bad_segment_rule() {
        let broken = |field: usize, value: u32| {
            let mut phdr = TEXT;
            phdr[field] = value;
            load(&image(&[phdr]))
        };
        let bad = Err(ElfError::BadSegment { index: 0 });
        assert_eq!(broken(1, 0x10), bad, "offset and address differ within the page");
        assert_eq!(broken(1, 0x10_0000), bad, "offset beyond the file");
        assert_eq!(broken(5, 0x100), bad, "memsz below filesz");
        assert_eq!(broken(5, 0), bad, "empty segment");
        assert_eq!(broken(2, 0), bad, "page 0");
        assert_eq!(broken(2, 0xBFFF_F000), bad, "runs into kernel space");
        assert_eq!(broken(2, 0xC000_0000), bad, "kernel address");
        assert_eq!(broken(2, 0xFFFF_F000), bad, "wraps around");
        let mut huge = TEXT;
        (huge[4], huge[5]) = (0x10_0000, 0x10_0000);
        assert_eq!(load(&image(&[huge])), Err(ElfError::Truncated), "file data missing");
    }

    #[test]
    fn every_prefix_of_a_valid_file_fails_cleanly() {
        let good = image(&[TEXT, DATA]);
        for len in 0..HEADER_SIZE + 2 * PROGRAM_HEADER_SIZE {
            assert!(load(&good[..len]).is_err(), "a file cut at {len} bytes was accepted");
        }
    }
}
