//! `--inject=ROLE:FAULT@WHERE`: disk faults made by QEMU itself, with its `blkdebug` block
//! driver between the IDE device and hda's image. The kernel sees what a failing disk shows:
//! the command ends with the status register's ERR bit set.
//!
//! - ROLE is the partition of hda: `filesys`, `scratch` or `swap`.
//! - FAULT is `read-error` or `write-error`: every read (or write) request that touches the
//!   sector fails with EIO, for the whole run, as a bad sector does; a write error in a `-p`
//!   file starts once the kernel has written what formatting and extracting write (it
//!   counts them the same way), since until then the file is being made.
//! - WHERE is a sector of the partition (`swap:read-error@0` hits swap slot 0), or for
//!   `filesys` a file put with `-p` and a byte offset in it (`filesys:read-error@child+4096`):
//!   the sector that byte lands in when the kernel formats (`-f`) and extracts the `-p` files,
//!   found by doing the same with the same code (`rintos-fs`) on the host.
//!
//! QEMU cannot make part of a disk stop answering after some requests: blkdebug has no
//! delay action, and its `break` needs the monitor and holds the first matching request. What
//! it can make is a whole disk that takes every command and never completes a transfer
//! (`--stopped-disk`, [`stopped_disk_args`]).
use std::cell::Cell;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context, anyhow, bail};
use rintos_fs::mbr::{self, PartitionTable};
use rintos_fs::{BlockDevice, FileSys, IoError, MemDisk, Sector, archive};

use crate::disk::FileDisk;

/// One `--inject` option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Injection {
    role: u8,
    write: bool,
    place: Place,
    /// As written on the command line (what `Options::to_args` writes back).
    spec: String,
}

impl std::fmt::Display for Injection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.spec)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    Sector(u32),
    File { name: String, offset: u32 },
}

impl FromStr for Injection {
    type Err = anyhow::Error;

    fn from_str(spec: &str) -> anyhow::Result<Injection> {
        let usage =
            || anyhow!("--inject={spec}: expected ROLE:FAULT@WHERE, e.g. swap:read-error@0");
        let (role, rest) = spec.split_once(':').ok_or_else(usage)?;
        let (fault, place) = rest.split_once('@').ok_or_else(usage)?;
        let role = match role {
            "filesys" => mbr::kind::FILESYS,
            "scratch" => mbr::kind::SCRATCH,
            "swap" => mbr::kind::SWAP,
            _ => bail!("--inject={spec}: the role is filesys, scratch or swap, not '{role}'"),
        };
        let write = match fault {
            "read-error" => false,
            "write-error" => true,
            _ => bail!("--inject={spec}: the fault is read-error or write-error, not '{fault}'"),
        };
        let place = match place.parse() {
            Ok(sector) => Place::Sector(sector),
            Err(_) if role == mbr::kind::FILESYS => {
                let (name, offset) = place.split_once('+').unwrap_or((place, "0"));
                let offset = offset.parse().map_err(|_| usage())?;
                Place::File {
                    name: name.to_string(),
                    offset,
                }
            }
            Err(_) => bail!("--inject={spec}: '{place}' is not a sector number"),
        };
        Ok(Injection { role, write, place, spec: spec.to_string() })
    }
}

/// Writes the blkdebug rules for `injections` next to `hda` and returns what QEMU's
/// `-drive file=` takes in place of hda's path.
pub fn wire(injections: &[Injection], hda: &Path) -> anyhow::Result<PathBuf> {
    let disk = FileDisk::open(hda)?;
    let table = PartitionTable::read(&disk).map_err(|error| anyhow!("hda: {error:?}"))?;
    let mut rules = String::new();
    // Write requests made before the program runs, once counted: blkdebug's state moves
    // one step per write until it reaches `armed`.
    let mut armed = None;
    for injection in injections {
        let (_, partition) = table.find(injection.role).with_context(|| {
            format!(
                "--inject: hda has no {} partition",
                mbr::describe(injection.role)
            )
        })?;
        let (sector, state) = match &injection.place {
            Place::Sector(sector) => (*sector, 0),
            Place::File { name, offset } => {
                let boot = ExtractedFiles::new(&disk, &table, partition.sector_count)?;
                let sector = boot.sector_of(name, *offset)?;
                // Formatting and extracting write the file's sectors: a write error must
                // wait until they are done, or the file would never exist.
                let state = if injection.write {
                    *armed.get_or_insert(boot.writes + 1)
                } else {
                    0
                };
                (sector, state)
            }
        };
        anyhow::ensure!(
            sector < partition.sector_count,
            "--inject: sector {sector} is past the partition's end"
        );
        // The event arms the rule; `iotype` keeps an armed rule to its own kind of request.
        let (event, iotype) = if injection.write {
            ("write_aio", "write")
        } else {
            ("read_aio", "read")
        };
        writeln!(
            rules,
            "[inject-error]\nevent = \"{event}\"\niotype = \"{iotype}\"\nerrno = \"5\"\nsector = \"{}\"\nstate = \"{state}\"\n",
            partition.start + sector
        )?;
    }
    for state in 1..armed.unwrap_or(1) {
        writeln!(
            rules,
            "[set-state]\nevent = \"write_aio\"\nstate = \"{state}\"\nnew_state = \"{}\"\n",
            state + 1
        )?;
    }
    let config = hda.with_extension("blkdebug");
    std::fs::write(&config, rules).with_context(|| format!("writing {}", config.display()))?;
    Ok(PathBuf::from(format!(
        "blkdebug:{}:{}",
        config.display(),
        hda.display()
    )))
}

/// The file system as the kernel will have made it before it runs a program: formatted
/// (`-f`) with the scratch archive's files extracted, by the same code (`rintos-fs`) on
/// copies of the partitions.
struct ExtractedFiles {
    fs: FileSys,
    /// Sector writes that took: each is one disk request in the kernel.
    writes: u32,
}

impl ExtractedFiles {
    fn new(disk: &FileDisk, table: &PartitionTable, sectors: u32) -> anyhow::Result<Self> {
        let (_, scratch) = table
            .find(mbr::kind::SCRATCH)
            .context("--inject: no -p files to find a file among")?;
        // On a copy: extracting erases the archive, which the kernel must still find.
        let scratch = scratch.open(disk)?;
        let mut archive = Vec::new();
        for sector in 0..scratch.sector_count() {
            let mut bytes = [0; rintos_fs::SECTOR_SIZE];
            scratch.read_sector(sector, &mut bytes)?;
            archive.extend_from_slice(&bytes);
        }
        let filesys = CountingWrites::new(MemDisk::new(sectors));
        let archive = CountingWrites::new(MemDisk::from_bytes(&archive));
        let mut fs = FileSys::format(&filesys).map_err(|error| anyhow!("{error}"))?;
        archive::extract(&mut fs, &filesys, &archive, |_| {})
            .map_err(|error| anyhow!("{error:?}"))?;
        let writes = filesys.writes.get() + archive.writes.get();
        Ok(ExtractedFiles { fs, writes })
    }

    /// The partition sector that byte `offset` of the file `name` occupies.
    fn sector_of(&self, name: &str, offset: u32) -> anyhow::Result<u32> {
        let inode = self
            .fs
            .lookup(name)
            .map_err(|_| anyhow!("--inject: no -p file is called '{name}'"))?;
        inode
            .sector_of(offset)
            .with_context(|| format!("--inject: '{name}' has no byte {offset}"))
    }
}

/// A device that counts the sectors written to it.
struct CountingWrites {
    disk: MemDisk,
    writes: Cell<u32>,
}

impl CountingWrites {
    fn new(disk: MemDisk) -> Self {
        CountingWrites {
            disk,
            writes: Cell::new(0),
        }
    }
}

impl BlockDevice for CountingWrites {
    fn sector_count(&self) -> u32 {
        self.disk.sector_count()
    }

    fn read_sector(&self, sector: u32, buf: &mut Sector) -> Result<(), IoError> {
        self.disk.read_sector(sector, buf)
    }

    fn write_sector(&self, sector: u32, buf: &Sector) -> Result<(), IoError> {
        self.writes.set(self.writes.get() + 1);
        self.disk.write_sector(sector, buf)
    }
}

/// QEMU's arguments for a 1 MB disk at IDE position `index` (2 = hdc) that answers IDENTIFY
/// but completes no read or write for an hour: QEMU's `null-co` driver with that latency. The
/// geometry is given because QEMU would otherwise read sector 0 to guess it, and wait the
/// hour before the machine starts.
pub fn stopped_disk_args(index: usize) -> Vec<String> {
    const HOUR_NS: u64 = 3_600_000_000_000;
    vec![
        "-drive".into(),
        format!("if=none,id=stopped,driver=null-co,size=1M,read-zeroes=on,latency-ns={HOUR_NS}"),
        "-device".into(),
        format!(
            "ide-hd,drive=stopped,bus=ide.{},unit={},cyls=2,heads=16,secs=63",
            index / 2,
            index % 2
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_and_mistakes_are_explained() {
        let swap: Injection = "swap:read-error@8".parse().unwrap();
        assert_eq!(
            swap,
            Injection {
                role: mbr::kind::SWAP,
                write: false,
                place: Place::Sector(8),
                spec: "swap:read-error@8".into()
            }
        );
        let file: Injection = "filesys:write-error@data+4096".parse().unwrap();
        assert_eq!(
            file.place,
            Place::File {
                name: "data".into(),
                offset: 4096
            }
        );
        assert_eq!(
            "filesys:read-error@prog"
                .parse::<Injection>()
                .unwrap()
                .place,
            Place::File {
                name: "prog".into(),
                offset: 0
            }
        );
        for (spec, message) in [
            ("swap", "expected ROLE:FAULT@WHERE"),
            ("kernel:read-error@0", "filesys, scratch or swap"),
            ("swap:stop@3", "read-error or write-error"),
            ("swap:read-error@slot", "not a sector number"),
        ] {
            let error = spec.parse::<Injection>().unwrap_err().to_string();
            assert!(error.contains(message), "{spec}: {error}");
        }
    }
}
