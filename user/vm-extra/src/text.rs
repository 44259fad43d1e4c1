//! The text segment of an executable: the loadable segment that is not writable (code,
//! read-only data and, in our layout, the ELF headers: `user/user.ld`). The kernel loads it
//! lazily from the file and shares each of its pages between all processes running the
//! file, so a frame holds each page once. A test compares what is in memory with what is in
//! the file through a digest of the bytes.
use crc::{CRC_32_CKSUM, Crc};
use elf::abi::{PF_W, PT_LOAD};
use elf::endian::LittleEndian;
use elf::file::{Class, FileHeader};
use elf::segment::SegmentTable;
use rintos_user::abi::{
    ELF32_HEADER_SIZE, ELF32_PROGRAM_HEADER_SIZE as PROGRAM_HEADER_SIZE, PAGE_SIZE,
};
use rintos_user::syscall::{Pid, read, seek, wait};
use rintos_user::{check, fail};

use crate::kernel::file_frames;

/// Our executables have two program headers (`user.ld`); allow a few more.
const MAX_PROGRAM_HEADERS: usize = 8;

/// Where the text segment of an executable is in the file and in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextSegment {
    pub address: usize,
    pub file_offset: u32,
    pub file_bytes: usize,
}

impl TextSegment {
    /// The text segment of the executable open as `fd`; fails the test if the file has no
    /// single read-only loadable segment.
    pub fn of_file(fd: i32) -> TextSegment {
        let mut header = [0u8; ELF32_HEADER_SIZE];
        read_at(fd, 0, &mut header);
        let ident = elf::file::parse_ident::<LittleEndian>(&header[..elf::abi::EI_NIDENT])
            .unwrap_or_else(|_| fail!("not an ELF file"));
        let header = FileHeader::parse_tail(ident, &header[elf::abi::EI_NIDENT..])
            .unwrap_or_else(|_| fail!("bad ELF header"));
        let count = usize::from(header.e_phnum);
        if count > MAX_PROGRAM_HEADERS {
            fail!("{} program headers", count);
        }
        let mut table = [0u8; MAX_PROGRAM_HEADERS * PROGRAM_HEADER_SIZE];
        let table = &mut table[..count * PROGRAM_HEADER_SIZE];
        read_at(fd, header.e_phoff as u32, table);
        let mut read_only = SegmentTable::new(LittleEndian, Class::ELF32, table)
            .iter()
            .filter(|segment| segment.p_type == PT_LOAD && segment.p_flags & PF_W == 0);
        let (Some(text), None) = (read_only.next(), read_only.next()) else {
            fail!("not exactly one read-only loadable segment")
        };
        TextSegment {
            address: text.p_vaddr as usize,
            file_offset: text.p_offset as u32,
            file_bytes: text.p_filesz as usize,
        }
    }

    /// The pages that hold bytes of the file: the kernel shares each of them.
    pub fn pages(&self) -> usize {
        (self.address % PAGE_SIZE + self.file_bytes).div_ceil(PAGE_SIZE)
    }

    /// Waits for each big-text child (child `i` was started with seed `i`) and checks that it
    /// computed the digest of the text as it is in the file `fd`; then, with all of them gone,
    /// that no frame holds the text any more.
    pub fn check_children_then_no_frames(&self, fd: i32, children: &[Pid]) {
        for (seed, &child) in children.iter().enumerate() {
            let expected = self.file_digest(fd, seed as u32);
            check!(
                wait(child) == expected,
                "big-text {} computed the digest of its file's text",
                seed
            );
        }
        check!(
            file_frames(fd) == 0,
            "no frame holds big-text's text once its processes have exited"
        );
    }

    /// The digest of this segment's bytes in the file open as `fd`, for `seed`.
    pub fn file_digest(&self, fd: i32, seed: u32) -> i32 {
        let mut digest = TextDigest::new(seed);
        let mut chunk = [0u8; 512];
        let mut done = 0;
        while done < self.file_bytes {
            let part = &mut chunk[..(self.file_bytes - done).min(512)];
            read_at(fd, self.file_offset + done as u32, part);
            digest.update(part);
            done += part.len();
        }
        digest.finish()
    }
}

fn read_at(fd: i32, offset: u32, buffer: &mut [u8]) {
    seek(fd, offset);
    if usize::try_from(read(fd, buffer)) != Ok(buffer.len()) {
        fail!(
            "read {} bytes at offset {} of the executable",
            buffer.len(),
            offset
        );
    }
}

const CKSUM: Crc<u32> = Crc::<u32>::new(&CRC_32_CKSUM);

/// A CRC of a seed and some bytes: each process of a test digests the same text with its
/// own seed, so each has its own right answer.
pub struct TextDigest(crc::Digest<'static, u32>);

impl TextDigest {
    pub fn new(seed: u32) -> TextDigest {
        let mut digest = CKSUM.digest();
        digest.update(&seed.to_le_bytes());
        TextDigest(digest)
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The digest as a non-negative number, fit to be an exit status (a killed process
    /// exits with -1).
    pub fn finish(self) -> i32 {
        (self.0.finalize() & 0x7FFF_FFFF) as i32
    }
}
