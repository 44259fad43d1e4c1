//! Moving files between a ustar archive on the scratch partition and the file system: the
//! kernel's `extract` and `append` actions, which carry the runner's `-p` and `-g` files.

use alloc::string::String;

use crate::block::{BlockDevice, SECTOR_SIZE};
use crate::fs::{FileSys, FsError};
use crate::ustar::{ArchiveReader, ArchiveWriter, Member, UstarError};

/// Why extracting or appending stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchiveError {
    /// The archive itself is unreadable.
    Archive(UstarError),
    /// The file system refused the file `name`.
    File { name: String, error: FsError },
}

impl From<UstarError> for ArchiveError {
    fn from(error: UstarError) -> Self {
        ArchiveError::Archive(error)
    }
}

impl core::fmt::Display for ArchiveError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ArchiveError::Archive(error) => write!(f, "bad ustar archive: {error}"),
            ArchiveError::File { name, error } => write!(f, "{name}: {error}"),
        }
    }
}

/// Unpacks every file of the archive on `scratch` into the file system, calling
/// `on_member` before each member (to print `Putting '<name>' into the file system...`),
/// then erases the archive's first two sectors so that extracting again finds nothing.
/// Directory members are passed to `on_member` and otherwise skipped.
pub fn extract(
    fs: &mut FileSys,
    fs_device: &dyn BlockDevice,
    scratch: &dyn BlockDevice,
    mut on_member: impl FnMut(&Member),
) -> Result<(), ArchiveError> {
    let mut reader = ArchiveReader::new();
    while let Some(member) = reader.next_member(scratch)? {
        on_member(&member);
        let Member::File {
            name,
            size,
            data_start,
        } = member
        else {
            continue;
        };
        let file_error = |error| ArchiveError::File {
            name: name.clone(),
            error,
        };
        let inode = fs.create(fs_device, &name, size).map_err(file_error)?;
        let mut block = [0; SECTOR_SIZE];
        for (index, offset) in (0..size).step_by(SECTOR_SIZE).enumerate() {
            scratch
                .read_sector(data_start + index as u32, &mut block)
                .map_err(UstarError::Io)?;
            let chunk = ((size - offset) as usize).min(SECTOR_SIZE);
            inode
                .write_at(fs_device, offset, &block[..chunk])
                .map_err(|error| file_error(FsError::Io(error)))?;
        }
    }
    let zeros = [0; SECTOR_SIZE];
    for sector in 0..2.min(scratch.sector_count()) {
        scratch
            .write_sector(sector, &zeros)
            .map_err(UstarError::Io)?;
    }
    Ok(())
}

/// Appends the file `name` to the archive that `writer` builds on `scratch`.
pub fn append(
    writer: &mut ArchiveWriter,
    fs: &FileSys,
    fs_device: &dyn BlockDevice,
    scratch: &dyn BlockDevice,
    name: &str,
) -> Result<(), ArchiveError> {
    let file_error = |error| ArchiveError::File {
        name: name.into(),
        error,
    };
    let inode = fs.lookup(name).map_err(file_error)?;
    writer.append(scratch, name, inode.length(), |offset, chunk| {
        inode.read_at(fs_device, offset, chunk).map(drop)
    })?;
    Ok(())
}

impl core::error::Error for ArchiveError {}
