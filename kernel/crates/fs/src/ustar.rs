//! POSIX ustar archives, the format of the scratch partition: the runner puts files into the
//! guest as an archive that the kernel's `extract` action unpacks, and the kernel's `append`
//! action writes files into an archive that the runner reads back after the run.
//!
//! An archive is a sequence of members, each a 512-byte header followed by the data padded
//! to whole sectors; an all-zero header ends it.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use crate::block::{BlockDevice, IoError, SECTOR_SIZE, Sector};

/// Field positions in a ustar header (offset, length).
const NAME: (usize, usize) = (0, 100);
const MODE: (usize, usize) = (100, 8);
const UID: (usize, usize) = (108, 8);
const GID: (usize, usize) = (116, 8);
const SIZE: (usize, usize) = (124, 12);
const MTIME: (usize, usize) = (136, 12);
const CHECKSUM: (usize, usize) = (148, 8);
const TYPEFLAG: usize = 156;
const MAGIC: (usize, usize) = (257, 6);
const VERSION: (usize, usize) = (263, 2);
const UNAME: (usize, usize) = (265, 32);
const GNAME: (usize, usize) = (297, 32);
const PREFIX: (usize, usize) = (345, 155);

const REGULAR_FILE: u8 = b'0';
const DIRECTORY: u8 = b'5';
/// The modification time Pintos stamps on every member (2006-01-01), so that archives of the
/// same files are byte-for-byte identical.
const PINTOS_MTIME: u32 = 1_136_102_400;

/// Why an archive could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UstarError {
    NotUstar,
    BadVersion,
    BadChecksumField,
    ChecksumMismatch,
    /// The name fills the 100-byte field (no NUL) or uses the prefix field.
    NameTooLong,
    NameNotUtf8,
    BadSizeField,
    /// A member type other than a regular file or a directory (the byte found).
    UnsupportedType(u8),
    /// A member's data runs past the end of the device (archive truncated).
    Truncated {
        name: String,
    },
    /// The device has no room for another member of this size.
    NoSpace,
    Io(IoError),
}

impl From<IoError> for UstarError {
    fn from(error: IoError) -> Self {
        UstarError::Io(error)
    }
}

impl fmt::Display for UstarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UstarError::NotUstar => f.write_str("not a ustar archive"),
            UstarError::BadVersion => f.write_str("invalid ustar version"),
            UstarError::BadChecksumField => f.write_str("corrupt chksum field"),
            UstarError::ChecksumMismatch => f.write_str("checksum mismatch"),
            UstarError::NameTooLong => f.write_str("file name too long"),
            UstarError::NameNotUtf8 => f.write_str("file name is not UTF-8"),
            UstarError::BadSizeField => f.write_str("corrupt file size field"),
            UstarError::UnsupportedType(byte) => {
                write!(f, "unimplemented file type {:?}", *byte as char)
            }
            UstarError::Truncated { name } => write!(f, "archive ends inside the data of '{name}'"),
            UstarError::NoSpace => f.write_str("out of space on the archive device"),
            UstarError::Io(error) => write!(f, "{error}"),
        }
    }
}

impl core::error::Error for UstarError {}

/// A parsed header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Header<'a> {
    /// An all-zero block: the end of the archive.
    End,
    Directory {
        name: &'a str,
    },
    File {
        name: &'a str,
        size: u32,
    },
}

/// Parses one header block, checking the magic, version and checksum.
pub fn parse_header(block: &Sector) -> Result<Header<'_>, UstarError> {
    if block.iter().all(|&byte| byte == 0) {
        return Ok(Header::End);
    }
    if field(block, MAGIC) != b"ustar\0" {
        return Err(UstarError::NotUstar);
    }
    if field(block, VERSION) != b"00" {
        return Err(UstarError::BadVersion);
    }
    let checksum = parse_octal(field(block, CHECKSUM)).ok_or(UstarError::BadChecksumField)?;
    if checksum != header_checksum(block) {
        return Err(UstarError::ChecksumMismatch);
    }
    let name_field = field(block, NAME);
    if name_field[NAME.1 - 1] != 0 || block[PREFIX.0] != 0 {
        return Err(UstarError::NameTooLong);
    }
    let name_len = name_field
        .iter()
        .position(|&byte| byte == 0)
        .unwrap_or(NAME.1);
    let name =
        core::str::from_utf8(&name_field[..name_len]).map_err(|_| UstarError::NameNotUtf8)?;
    match block[TYPEFLAG] {
        REGULAR_FILE => {
            let size = parse_octal(field(block, SIZE)).ok_or(UstarError::BadSizeField)?;
            let size = u32::try_from(size).map_err(|_| UstarError::BadSizeField)?;
            Ok(Header::File { name, size })
        }
        DIRECTORY => Ok(Header::Directory { name }),
        other => Err(UstarError::UnsupportedType(other)),
    }
}

/// The header of a regular file named `name` holding `size` bytes, as Pintos writes it.
pub fn make_file_header(name: &str, size: u32) -> Result<Sector, UstarError> {
    if name.len() >= NAME.1 {
        return Err(UstarError::NameTooLong);
    }
    let mut block = [0; SECTOR_SIZE];
    block[..name.len()].copy_from_slice(name.as_bytes());
    write_octal(&mut block, MODE, 0o644);
    write_octal(&mut block, UID, 0);
    write_octal(&mut block, GID, 0);
    write_octal(&mut block, SIZE, size.into());
    write_octal(&mut block, MTIME, PINTOS_MTIME.into());
    block[TYPEFLAG] = REGULAR_FILE;
    block[MAGIC.0..][..MAGIC.1].copy_from_slice(b"ustar\0");
    block[VERSION.0..][..VERSION.1].copy_from_slice(b"00");
    block[UNAME.0..][..4].copy_from_slice(b"root");
    block[GNAME.0..][..4].copy_from_slice(b"root");
    let checksum = header_checksum(&block);
    write_octal(&mut block, CHECKSUM, checksum);
    Ok(block)
}

/// Sectors taken by `size` bytes of member data.
pub fn data_sectors(size: u32) -> u32 {
    size.div_ceil(SECTOR_SIZE as u32)
}

fn field(block: &Sector, (offset, len): (usize, usize)) -> &[u8] {
    &block[offset..offset + len]
}

/// The header's byte sum, counting the checksum field itself as eight spaces.
fn header_checksum(block: &Sector) -> u64 {
    let (start, len) = CHECKSUM;
    block
        .iter()
        .enumerate()
        .map(|(i, &byte)| {
            if (start..start + len).contains(&i) {
                u64::from(b' ')
            } else {
                u64::from(byte)
            }
        })
        .sum()
}

/// An octal number of at least one digit, ended by a space or NUL inside the field.
fn parse_octal(field: &[u8]) -> Option<u64> {
    let mut value: u64 = 0;
    for (index, &byte) in field.iter().enumerate() {
        match byte {
            b'0'..=b'7' => value = value.checked_mul(8)? + u64::from(byte - b'0'),
            b' ' | 0 => return (index > 0).then_some(value),
            _ => return None,
        }
    }
    None
}

/// Writes `value` as zero-padded octal filling the field but its last byte, a NUL.
fn write_octal(block: &mut Sector, (offset, len): (usize, usize), mut value: u64) {
    let digits = &mut block[offset..offset + len - 1];
    for digit in digits.iter_mut().rev() {
        *digit = b'0' + (value % 8) as u8;
        value /= 8;
    }
    block[offset + len - 1] = 0;
}

/// One member found on an archive device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    Directory {
        name: String,
    },
    /// A regular file whose `size` bytes start at sector `data_start` of the device.
    File {
        name: String,
        size: u32,
        data_start: u32,
    },
}

/// Walks the members of an archive stored on a device, one header at a time.
pub struct ArchiveReader {
    next_sector: u32,
}

impl ArchiveReader {
    pub const fn new() -> Self {
        ArchiveReader { next_sector: 0 }
    }

    /// The next member, or `None` at the end of the archive (an all-zero header, or the end
    /// of the device).
    pub fn next_member(&mut self, device: &dyn BlockDevice) -> Result<Option<Member>, UstarError> {
        if self.next_sector >= device.sector_count() {
            return Ok(None);
        }
        let mut block = [0; SECTOR_SIZE];
        device.read_sector(self.next_sector, &mut block)?;
        let member = match parse_header(&block)? {
            Header::End => return Ok(None),
            Header::Directory { name } => Member::Directory {
                name: name.to_string(),
            },
            Header::File { name, size } => {
                let data_start = self.next_sector + 1;
                let end = u64::from(data_start) + u64::from(data_sectors(size));
                if end > u64::from(device.sector_count()) {
                    return Err(UstarError::Truncated {
                        name: name.to_string(),
                    });
                }
                Member::File {
                    name: name.to_string(),
                    size,
                    data_start,
                }
            }
        };
        self.next_sector += 1;
        if let Member::File { size, .. } = member {
            self.next_sector += data_sectors(size);
        }
        Ok(Some(member))
    }
}

impl Default for ArchiveReader {
    fn default() -> Self {
        Self::new()
    }
}

/// Reads `size` bytes of member data starting at sector `data_start` (see [`Member::File`]).
pub fn read_member_data(
    device: &dyn BlockDevice,
    data_start: u32,
    size: u32,
) -> Result<Vec<u8>, IoError> {
    let mut data = Vec::with_capacity(size as usize);
    let mut block = [0; SECTOR_SIZE];
    for index in 0..data_sectors(size) {
        device.read_sector(data_start + index, &mut block)?;
        let wanted = (size as usize - data.len()).min(SECTOR_SIZE);
        data.extend_from_slice(&block[..wanted]);
    }
    Ok(data)
}

/// Every regular file of the archive on `device`, with its contents (directories skipped).
pub fn read_files(device: &dyn BlockDevice) -> Result<Vec<(String, Vec<u8>)>, UstarError> {
    let mut reader = ArchiveReader::new();
    let mut files = Vec::new();
    while let Some(member) = reader.next_member(device)? {
        if let Member::File {
            name,
            size,
            data_start,
        } = member
        {
            files.push((name, read_member_data(device, data_start, size)?));
        }
    }
    Ok(files)
}

/// Appends members to an archive on a device, starting at sector 0.
///
/// After each member it writes the two-sector end-of-archive marker but does not move past
/// it, so the archive is complete after every call and the next member overwrites the marker.
pub struct ArchiveWriter {
    next_sector: u32,
}

impl ArchiveWriter {
    pub const fn new() -> Self {
        ArchiveWriter { next_sector: 0 }
    }

    /// Appends a regular file of `size` bytes. `read_data(offset, chunk)` must fill `chunk`
    /// with the file's bytes at `offset` (chunks are at most one sector, in order).
    pub fn append(
        &mut self,
        device: &dyn BlockDevice,
        name: &str,
        size: u32,
        mut read_data: impl FnMut(u32, &mut [u8]) -> Result<(), IoError>,
    ) -> Result<(), UstarError> {
        let header = make_file_header(name, size)?;
        const END_MARKER_SECTORS: u64 = 2;
        let needed = 1 + u64::from(data_sectors(size)) + END_MARKER_SECTORS;
        if u64::from(self.next_sector) + needed > u64::from(device.sector_count()) {
            return Err(UstarError::NoSpace);
        }
        device.write_sector(self.next_sector, &header)?;
        self.next_sector += 1;
        let mut block = [0; SECTOR_SIZE];
        for offset in (0..size).step_by(SECTOR_SIZE) {
            let chunk = ((size - offset) as usize).min(SECTOR_SIZE);
            block.fill(0);
            read_data(offset, &mut block[..chunk])?;
            device.write_sector(self.next_sector, &block)?;
            self.next_sector += 1;
        }
        let zeros = [0; SECTOR_SIZE];
        device.write_sector(self.next_sector, &zeros)?;
        device.write_sector(self.next_sector + 1, &zeros)?;
        Ok(())
    }
}

impl Default for ArchiveWriter {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::block::MemDisk;
    use crate::test_support::XorShift;

    fn archive_of(files: &[(&str, &[u8])], sectors: u32) -> MemDisk {
        let disk = MemDisk::new(sectors);
        let mut writer = ArchiveWriter::new();
        for (name, data) in files {
            writer
                .append(&disk, name, data.len() as u32, |offset, chunk| {
                    chunk.copy_from_slice(&data[offset as usize..][..chunk.len()]);
                    Ok(())
                })
                .unwrap();
        }
        disk
    }

    #[test]
    fn header_matches_the_pintos_layout() {
        let header = make_file_header("args-none", 1000).unwrap();
        assert_eq!(&header[..10], b"args-none\0");
        assert_eq!(&header[100..108], b"0000644\0");
        assert_eq!(&header[124..136], b"00000001750\0");
        assert_eq!(&header[136..148], b"10355706000\0");
        assert_eq!(header[156], b'0');
        assert_eq!(&header[257..265], b"ustar\x0000");
        assert_eq!(&header[265..270], b"root\0");
        assert_eq!(
            parse_header(&header),
            Ok(Header::File {
                name: "args-none",
                size: 1000
            })
        );
    }

    #[test]
    fn archives_round_trip() {
        let big: Vec<u8> = (0..1300u32).map(|i| i as u8).collect();
        let files: [(&str, &[u8]); 3] = [("empty", b""), ("big", &big), ("sector", &[9; 512])];
        let disk = archive_of(&files, 20);
        let read = read_files(&disk).unwrap();
        assert_eq!(read.len(), 3);
        for ((name, data), (read_name, read_data)) in files.iter().zip(&read) {
            assert_eq!(name, read_name);
            assert_eq!(*data, read_data.as_slice());
        }
    }

    #[test]
    fn the_end_marker_needs_room() {
        let disk = MemDisk::new(4);
        let mut writer = ArchiveWriter::new();
        assert_eq!(
            writer.append(&disk, "a", 600, |_, _| Ok(())),
            Err(UstarError::NoSpace)
        );
        assert_eq!(writer.append(&disk, "a", 500, |_, _| Ok(())), Ok(()));
        assert_eq!(
            writer.append(&disk, "b", 0, |_, _| Ok(())),
            Err(UstarError::NoSpace)
        );
    }

    #[test]
    fn octal_fields_end_in_space_or_nul() {
        assert_eq!(parse_octal(b"17 xxxx"), Some(15));
        assert_eq!(parse_octal(b"17\0"), Some(15));
        assert_eq!(parse_octal(b"178\0"), None);
        assert_eq!(parse_octal(b" 17"), None);
        assert_eq!(parse_octal(b"1777"), None);
        assert_eq!(parse_octal(b"77777777777777777777777\0"), None);
    }

    fn corrupted(
        edit: impl FnOnce(&mut Sector),
        fix_checksum: bool,
    ) -> Result<Header<'static>, UstarError> {
        let mut header = make_file_header("f", 3).unwrap();
        edit(&mut header);
        if fix_checksum {
            header[148..156].fill(b' ');
            let sum = header_checksum(&header);
            write_octal(&mut header, CHECKSUM, sum);
        }
        parse_header(&header).map(|h| match h {
            Header::End => Header::End,
            Header::Directory { .. } => Header::Directory { name: "" },
            Header::File { size, .. } => Header::File { name: "", size },
        })
    }

    #[test]
    fn bad_headers_are_errors() {
        assert_eq!(
            corrupted(|h| h[0] = b'g', false),
            Err(UstarError::ChecksumMismatch)
        );
        assert_eq!(
            corrupted(|h| h[257] = b'x', false),
            Err(UstarError::NotUstar)
        );
        assert_eq!(
            corrupted(|h| h[263] = b'1', false),
            Err(UstarError::BadVersion)
        );
        assert_eq!(
            corrupted(|h| h[148] = b'9', false),
            Err(UstarError::BadChecksumField)
        );
        assert_eq!(
            corrupted(|h| h[156] = b'2', true),
            Err(UstarError::UnsupportedType(b'2'))
        );
        assert_eq!(
            corrupted(|h| h[345] = b'p', true),
            Err(UstarError::NameTooLong)
        );
        assert_eq!(
            corrupted(|h| h[..100].fill(b'n'), true),
            Err(UstarError::NameTooLong)
        );
        assert_eq!(
            corrupted(|h| h[124..136].copy_from_slice(b"77777777777\0"), true),
            Err(UstarError::BadSizeField)
        );
        assert_eq!(
            corrupted(|h| h[156] = b'5', true),
            Ok(Header::Directory { name: "" })
        );
        assert_eq!(
            make_file_header(&"n".repeat(100), 0),
            Err(UstarError::NameTooLong)
        );
    }

    #[test]
    fn truncated_archives_are_errors() {
        let disk = archive_of(&[("data", &[1; 2000])], 10);
        let short = MemDisk::from_bytes(&disk.to_bytes()[..3 * SECTOR_SIZE]);
        assert_eq!(
            read_files(&short),
            Err(UstarError::Truncated {
                name: "data".into()
            })
        );
    }

    #[test]
    fn random_archives_never_panic() {
        let mut rng = XorShift::new(7);
        let good = archive_of(&[("a", &[1; 700]), ("b", &[2; 10])], 10).to_bytes();
        for _ in 0..500 {
            let mut bytes = good.clone();
            for _ in 0..rng.below(8) + 1 {
                let at = rng.below(bytes.len() as u32) as usize;
                bytes[at] = rng.next() as u8;
            }
            let _ = read_files(&MemDisk::from_bytes(&bytes));
        }
    }
}
