//! Corrupt executables for testing the loader, reproducible from a seed.
//!
//! Mutant `index` of `seed` is one of a few valid ELF files (three built here from scratch,
//! or a real program the caller passes in) with one to three mutations applied: header
//! fields set to boundary values, program headers that overlap each other or the kernel, huge
//! memory sizes, offsets beyond the file, truncation, dynamic-linking segments, and random
//! bytes in the headers. A kernel must refuse each one (`exec` returns -1) or run it without
//! harm: the process exits, or is killed with `exit(-1)`.
//!
//! The executables built here are safe to run however they are mutated: every byte that a
//! wrong entry point or a moved segment could make the CPU execute is [`FILL`], which
//! decodes (from any offset) as `mov eax, [0xA1A1A1A1]`, a load from an unmapped address that
//! gets the process killed. Only the small stub at the entry point exits normally, with
//! [`EXIT_STATUS`]. Mutations that could move a real program's code (its entry point into
//! code, its program-header table, single header bytes) are only applied to the built ones.
//!
//! `no_std` and allocation-free: the guest program that execs the mutants uses it, and so
//! do the host's tests and tools.
#![no_std]

use core::fmt;

use elf::abi::{PT_GNU_STACK, PT_LOAD, PT_NOTE};
use rintos_abi::{
    ELF32_HEADER_SIZE as HEADER_SIZE, ELF32_PROGRAM_HEADER_SIZE as PHDR_SIZE,
    USER_CODE_BASE as TEXT_BASE,
};

/// Bytes of a page.
pub const PAGE: u32 = rintos_abi::PAGE_SIZE as u32;
/// Where user space ends.
pub const USER_TOP: u32 = rintos_abi::PHYS_BASE;
/// The largest mutant: room for the biggest base and a real program of up to this size.
pub const MAX_IMAGE: usize = 64 * 1024;
/// The exit status of a base executable that runs as built.
pub const EXIT_STATUS: i32 = 42;
/// The byte every unused place of a built executable holds (see the crate documentation).
pub const FILL: u8 = 0xA1;

/// Where the exit stub sits within its page.
const STUB_OFFSET: u32 = 0x800;
/// `push 42; push SYS_EXIT; int 0x30`: the system call reads its number at `[esp]` and its
/// argument above it.
const STUB: [u8; 6] = [0x6A, EXIT_STATUS as u8, 0x6A, 0x01, 0xCD, 0x30];

/// The valid executables built from scratch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// One read-only executable page holding the headers and the stub.
    Single,
    /// A text page, a data page with two pages of bss, a stack marker and a note.
    TextData,
    /// Headers on a page of their own that is not loaded; text, read-only data and a
    /// bss-only segment.
    Spread,
}

impl Shape {
    pub const ALL: [Shape; 3] = [Shape::Single, Shape::TextData, Shape::Spread];

    fn name(self) -> &'static str {
        match self {
            Shape::Single => "single",
            Shape::TextData => "text-data",
            Shape::Spread => "spread",
        }
    }
}

/// A program header as `[type, offset, vaddr, paddr, filesz, memsz, flags, align]`.
type Phdr = [u32; 8];

/// Writes the executable of `shape` into `out` (which it fills with [`FILL`] first) and
/// returns its length.
pub fn build(shape: Shape, out: &mut [u8]) -> usize {
    let load = |offset: u32, vaddr: u32, filesz: u32, memsz: u32, flags: u32| -> Phdr {
        [PT_LOAD, offset, vaddr, vaddr, filesz, memsz, flags, PAGE]
    };
    let (pages, entry_page, phdrs): (u32, u32, &[Phdr]) = match shape {
        Shape::Single => (1, TEXT_BASE, &[load(0, TEXT_BASE, PAGE, PAGE, 5)]),
        Shape::TextData => (
            2,
            TEXT_BASE,
            &[
                load(0, TEXT_BASE, PAGE, PAGE, 5),
                load(PAGE, TEXT_BASE + PAGE, 0x800, 3 * PAGE, 6),
                [PT_GNU_STACK, 0, 0, 0, 0, 0, 6, 16],
                [PT_NOTE, 0x200, 0, 0, 0x20, 0x20, 4, 4],
            ],
        ),
        Shape::Spread => (
            3,
            TEXT_BASE + PAGE,
            &[
                load(PAGE, TEXT_BASE + PAGE, PAGE, PAGE, 5),
                load(2 * PAGE, TEXT_BASE + 2 * PAGE, PAGE, PAGE, 4),
                load(0, TEXT_BASE + 4 * PAGE, 0, 2 * PAGE, 6),
            ],
        ),
    };
    let len = (pages * PAGE) as usize;
    out[..len].fill(FILL);
    let entry = entry_page + STUB_OFFSET;
    write_header(out, entry, phdrs.len() as u16);
    for (index, phdr) in phdrs.iter().enumerate() {
        for (field, value) in phdr.iter().enumerate() {
            put_u32(out, HEADER_SIZE + index * PHDR_SIZE + 4 * field, *value);
        }
    }
    let stub_at = (phdrs[0][1] + STUB_OFFSET) as usize;
    out[stub_at..stub_at + STUB.len()].copy_from_slice(&STUB);
    len
}

fn write_header(out: &mut [u8], entry: u32, phnum: u16) {
    out[..HEADER_SIZE].fill(0);
    out[..7].copy_from_slice(b"\x7fELF\x01\x01\x01");
    put_u16(out, 16, 2); // ET_EXEC
    put_u16(out, 18, 3); // EM_386
    put_u32(out, 20, 1);
    put_u32(out, 24, entry);
    put_u32(out, 28, HEADER_SIZE as u32);
    put_u16(out, 40, HEADER_SIZE as u16);
    put_u16(out, 42, PHDR_SIZE as u16);
    put_u16(out, 44, phnum);
}

fn put_u16(out: &mut [u8], at: usize, value: u16) {
    out[at..at + 2].copy_from_slice(&value.to_le_bytes());
}

fn put_u32(out: &mut [u8], at: usize, value: u32) {
    out[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

fn get_u16(bytes: &[u8], at: usize) -> u16 {
    bytes
        .get(at..at + 2)
        .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]))
}

fn get_u32(bytes: &[u8], at: usize) -> u32 {
    bytes
        .get(at..at + 4)
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// A field of the ELF file header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderField {
    Magic,
    Class,
    Data,
    IdentVersion,
    Type,
    Machine,
    Version,
    Entry,
    Phoff,
    Shoff,
    Flags,
    Phentsize,
    Phnum,
    Shnum,
}

impl HeaderField {
    const ALL: [HeaderField; 14] = [
        HeaderField::Magic,
        HeaderField::Class,
        HeaderField::Data,
        HeaderField::IdentVersion,
        HeaderField::Type,
        HeaderField::Machine,
        HeaderField::Version,
        HeaderField::Entry,
        HeaderField::Phoff,
        HeaderField::Shoff,
        HeaderField::Flags,
        HeaderField::Phentsize,
        HeaderField::Phnum,
        HeaderField::Shnum,
    ];

    /// Offset and width in bytes.
    fn place(self) -> (usize, usize) {
        match self {
            HeaderField::Magic => (0, 4),
            HeaderField::Class => (4, 1),
            HeaderField::Data => (5, 1),
            HeaderField::IdentVersion => (6, 1),
            HeaderField::Type => (16, 2),
            HeaderField::Machine => (18, 2),
            HeaderField::Version => (20, 4),
            HeaderField::Entry => (24, 4),
            HeaderField::Phoff => (28, 4),
            HeaderField::Shoff => (32, 4),
            HeaderField::Flags => (36, 4),
            HeaderField::Phentsize => (42, 2),
            HeaderField::Phnum => (44, 2),
            HeaderField::Shnum => (48, 2),
        }
    }

    /// Whether a real program may get this field changed: not where its code is found.
    fn safe_for_real_programs(self) -> bool {
        !matches!(self, HeaderField::Phoff)
    }
}

/// A field of a program header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhdrField {
    Type,
    Offset,
    Vaddr,
    Filesz,
    Memsz,
    Flags,
    Align,
}

impl PhdrField {
    const ALL: [PhdrField; 7] = [
        PhdrField::Type,
        PhdrField::Offset,
        PhdrField::Vaddr,
        PhdrField::Filesz,
        PhdrField::Memsz,
        PhdrField::Flags,
        PhdrField::Align,
    ];

    fn word(self) -> usize {
        match self {
            PhdrField::Type => 0,
            PhdrField::Offset => 1,
            PhdrField::Vaddr => 2,
            PhdrField::Filesz => 4,
            PhdrField::Memsz => 5,
            PhdrField::Flags => 6,
            PhdrField::Align => 7,
        }
    }
}

/// One change to an executable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mutation {
    /// A header field set to a value (only its low bytes for narrow fields).
    Header { field: HeaderField, value: u32 },
    /// A field of program header `index` set to a value.
    Phdr {
        index: u16,
        field: PhdrField,
        value: u32,
    },
    /// Segment `moved` placed on the first page of segment `onto`.
    Overlap { moved: u16, onto: u16 },
    /// Segment `index` moved to end in or beyond kernel space.
    IntoKernel { index: u16, vaddr: u32 },
    /// Segment `index` given a huge memory size.
    HugeMemsz { index: u16, memsz: u32 },
    /// Segment `index`'s data placed `pages` pages past the end of the file.
    BeyondFile { index: u16, pages: u32 },
    /// The file cut to `len` bytes.
    Truncate { len: u32 },
    /// Program header `index` given another type (dynamic-linking ones included).
    SegmentType { index: u16, kind: u32 },
    /// One byte of the headers replaced (never the entry point).
    Havoc { offset: u32, byte: u8 },
}

impl fmt::Display for Mutation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Mutation::Header { field, value } => write!(f, "e_{field:?} = {value:#x}"),
            Mutation::Phdr {
                index,
                field,
                value,
            } => write!(f, "phdr[{index}].p_{field:?} = {value:#x}"),
            Mutation::Overlap { moved, onto } => write!(f, "phdr[{moved}] moved onto phdr[{onto}]"),
            Mutation::IntoKernel { index, vaddr } => write!(f, "phdr[{index}] moved to {vaddr:#x}"),
            Mutation::HugeMemsz { index, memsz } => write!(f, "phdr[{index}].p_memsz = {memsz:#x}"),
            Mutation::BeyondFile { index, pages } => {
                write!(f, "phdr[{index}] data {pages} pages past the end")
            }
            Mutation::Truncate { len } => write!(f, "truncated to {len} bytes"),
            Mutation::SegmentType { index, kind } => write!(f, "phdr[{index}].p_type = {kind:#x}"),
            Mutation::Havoc { offset, byte } => write!(f, "byte {offset} = {byte:#04x}"),
        }
    }
}

/// The executable a mutant started from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base {
    Built(Shape),
    /// The real program the caller passed.
    Program,
}

/// What [`mutant`] made: the length of the file in the output buffer, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mutant {
    pub len: usize,
    pub base: Base,
    mutations: [Option<Mutation>; MAX_MUTATIONS],
}

const MAX_MUTATIONS: usize = 3;

impl Mutant {
    pub fn mutations(&self) -> impl Iterator<Item = Mutation> + '_ {
        self.mutations.iter().flatten().copied()
    }
}

impl fmt::Display for Mutant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.base {
            Base::Built(shape) => write!(f, "{}", shape.name())?,
            Base::Program => f.write_str("program")?,
        }
        for mutation in self.mutations() {
            write!(f, "; {mutation}")?;
        }
        Ok(())
    }
}

/// Builds mutant `index` of `seed` into `out` (at least [`MAX_IMAGE`] bytes). `program`, if
/// given, is a real executable of at most [`MAX_IMAGE`] bytes that a quarter of the mutants
/// start from. The same arguments always give the same mutant.
pub fn mutant(seed: u64, index: u32, program: Option<&[u8]>, out: &mut [u8]) -> Mutant {
    let mut rng =
        fastrand::Rng::with_seed(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(index));
    let program =
        program.filter(|program| program.len() <= MAX_IMAGE && program.len() >= HEADER_SIZE);
    let (base, mut len) = match program {
        Some(program) if rng.u8(..4) == 0 => {
            out[..program.len()].copy_from_slice(program);
            (Base::Program, program.len())
        }
        _ => {
            let shape = Shape::ALL[rng.usize(..Shape::ALL.len())];
            (Base::Built(shape), build(shape, out))
        }
    };
    let mut mutations = [None; MAX_MUTATIONS];
    let count = 1 + rng.usize(..MAX_MUTATIONS);
    for slot in mutations.iter_mut().take(count) {
        let mutation = choose(&mut rng, base, &out[..len]);
        len = apply(mutation, &mut out[..], len);
        *slot = Some(mutation);
    }
    Mutant {
        len,
        base,
        mutations,
    }
}

/// Values that sit on the edges of what a loader checks.
fn boundary_value(rng: &mut fastrand::Rng, len: usize) -> u32 {
    let len = len as u32;
    const FIXED: [u32; 14] = [
        0,
        1,
        2,
        3,
        4,
        0xFF,
        0xFFFF,
        0x7FFF_FFFF,
        0x8000_0000,
        0xFFFF_FFFF,
        0xFFFF_F000,
        PAGE,
        USER_TOP,
        USER_TOP - PAGE,
    ];
    match rng.u8(..4) {
        0 => [
            len,
            len.wrapping_sub(1),
            len + 1,
            len + PAGE,
            HEADER_SIZE as u32,
        ][rng.usize(..5)],
        1 => rng.u32(..),
        _ => FIXED[rng.usize(..FIXED.len())],
    }
}

/// Entry points that never lead into code a mutation could have moved: unmapped, kernel,
/// and (for built executables) [`FILL`] bytes.
fn entry_value(rng: &mut fastrand::Rng, base: Base) -> u32 {
    const ANYWHERE: [u32; 8] = [
        0,
        PAGE,
        0x1000_0000,
        USER_TOP,
        USER_TOP + 0x10,
        0xFFFF_FFFF,
        USER_TOP - 0x80_0000 - PAGE,
        0xA1A1_A1A1,
    ];
    match base {
        Base::Built(_) if rng.bool() => {
            TEXT_BASE + [0xC00, PAGE + 0x100, 2 * PAGE + 0x900, 4 * PAGE][rng.usize(..4)]
        }
        _ => ANYWHERE[rng.usize(..ANYWHERE.len())],
    }
}

fn phnum(image: &[u8]) -> u16 {
    if image.len() >= HEADER_SIZE {
        get_u16(image, 44)
    } else {
        0
    }
}

/// Where word `word` of program header `index` lies, if inside the image.
fn phdr_word_at(image: &[u8], index: u16, word: usize) -> Option<usize> {
    let at =
        (get_u32(image, 28) as usize).checked_add(usize::from(index) * PHDR_SIZE + 4 * word)?;
    (index < phnum(image) && at.checked_add(4)? <= image.len()).then_some(at)
}

fn phdr_word(image: &[u8], index: u16, word: usize) -> u32 {
    phdr_word_at(image, index, word).map_or(0, |at| get_u32(image, at))
}

fn choose(rng: &mut fastrand::Rng, base: Base, image: &[u8]) -> Mutation {
    let built = matches!(base, Base::Built(_));
    let headers = phnum(image).max(1);
    let any_phdr = |rng: &mut fastrand::Rng| rng.u16(..headers);
    loop {
        let mutation = match rng.u8(..10) {
            0 | 1 => {
                let field = HeaderField::ALL[rng.usize(..HeaderField::ALL.len())];
                if !built && !field.safe_for_real_programs() {
                    continue;
                }
                let value = if field == HeaderField::Entry {
                    entry_value(rng, base)
                } else {
                    boundary_value(rng, image.len())
                };
                Mutation::Header { field, value }
            }
            2 if built => {
                let field = PhdrField::ALL[rng.usize(..PhdrField::ALL.len())];
                Mutation::Phdr {
                    index: any_phdr(rng),
                    field,
                    value: boundary_value(rng, image.len()),
                }
            }
            3 => Mutation::Overlap {
                moved: any_phdr(rng),
                onto: any_phdr(rng),
            },
            4 => {
                let vaddr =
                    [USER_TOP - PAGE, USER_TOP - 0x10, USER_TOP, 0xFFFF_F000][rng.usize(..4)];
                Mutation::IntoKernel {
                    index: any_phdr(rng),
                    vaddr,
                }
            }
            5 => {
                let memsz = [
                    0x4000_0000,
                    0x7FFF_FFFF,
                    0xFFFF_FFFF,
                    0x0400_0000,
                    USER_TOP - TEXT_BASE - PAGE,
                ][rng.usize(..5)];
                Mutation::HugeMemsz {
                    index: any_phdr(rng),
                    memsz,
                }
            }
            6 => Mutation::BeyondFile {
                index: any_phdr(rng),
                pages: 1 + rng.u32(..1000),
            },
            7 => {
                let cut = image.len() as u32;
                let table_end =
                    get_u32(image, 28).saturating_add(u32::from(headers) * PHDR_SIZE as u32);
                let lengths = [
                    0,
                    1,
                    4,
                    51,
                    52,
                    53,
                    table_end.saturating_sub(1),
                    table_end,
                    cut / 2,
                    cut.saturating_sub(1),
                    rng.u32(..=cut),
                ];
                Mutation::Truncate {
                    len: lengths[rng.usize(..lengths.len())].min(cut),
                }
            }
            8 => {
                let kind = [
                    2,
                    3,
                    5,
                    0,
                    PT_NOTE,
                    6,
                    7,
                    PT_GNU_STACK,
                    0x7000_0000,
                    0xFFFF_FFFF,
                ][rng.usize(..10)];
                Mutation::SegmentType {
                    index: any_phdr(rng),
                    kind,
                }
            }
            9 if built => {
                let table_end = (HEADER_SIZE + usize::from(headers) * PHDR_SIZE).min(image.len());
                let offset = rng.usize(..table_end.max(1)) as u32;
                if (24..28).contains(&offset) {
                    continue;
                }
                Mutation::Havoc {
                    offset,
                    byte: rng.u8(..),
                }
            }
            _ => continue,
        };
        return mutation;
    }
}

/// Applies `mutation` to the image of `len` bytes in `out`; returns the new length. A
/// mutation that names a program header the (already mutated) file no longer has, or
/// whose place lies outside the file, changes nothing.
pub fn apply(mutation: Mutation, out: &mut [u8], len: usize) -> usize {
    let set_phdr_word = |out: &mut [u8], index: u16, word: usize, value: u32| {
        if let Some(at) = phdr_word_at(&out[..len], index, word) {
            put_u32(out, at, value);
        }
    };
    let phdr_word = |out: &[u8], index: u16, word: usize| phdr_word(&out[..len], index, word);
    match mutation {
        Mutation::Header { field, value } => {
            let (at, width) = field.place();
            if at + width <= len {
                out[at..at + width].copy_from_slice(&value.to_le_bytes()[..width]);
            }
        }
        Mutation::Phdr {
            index,
            field,
            value,
        } => set_phdr_word(out, index, field.word(), value),
        Mutation::Overlap { moved, onto } => {
            let target_page = phdr_word(out, onto, 2) & !(PAGE - 1);
            let within = phdr_word(out, moved, 1) % PAGE;
            set_phdr_word(out, moved, 2, target_page.wrapping_add(within));
        }
        Mutation::IntoKernel { index, vaddr } => {
            let within = phdr_word(out, index, 1) % PAGE;
            set_phdr_word(out, index, 2, (vaddr & !(PAGE - 1)) + within);
            let memsz = phdr_word(out, index, 5).max(2 * PAGE);
            set_phdr_word(out, index, 5, memsz);
        }
        Mutation::HugeMemsz { index, memsz } => set_phdr_word(out, index, 5, memsz),
        Mutation::BeyondFile { index, pages } => {
            let within = phdr_word(out, index, 1) % PAGE;
            let past = (len as u32)
                .next_multiple_of(PAGE)
                .saturating_add(pages.saturating_mul(PAGE));
            set_phdr_word(out, index, 1, past.saturating_add(within));
        }
        Mutation::Truncate { len: cut } => return (cut as usize).min(len),
        Mutation::SegmentType { index, kind } => set_phdr_word(out, index, 0, kind),
        Mutation::Havoc { offset, byte } => {
            if (offset as usize) < len {
                out[offset as usize] = byte;
            }
        }
    }
    len
}

#[cfg(test)]
mod tests;
