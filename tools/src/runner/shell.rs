//! `cargo run` without kernel arguments: the shell, on a file-system disk that persists in
//! `disk-images/` between runs and always holds the latest build of every Rust user program.

use std::path::{Path, PathBuf};

use rintos_fs::mbr;

use super::guest::GuestArtifacts;
use super::options::{ExtraDisk, Options, PartitionSource};
use crate::disk::{Contents, FilesysImage, PartitionSpec, SECTORS_PER_MB, create_disk};

/// The persistent disk, relative to the repository root.
pub const SHELL_DISK: &str = "disk-images/rintos.dsk";
/// Swap of a shell session, as the classic test runs have.
const SHELL_SWAP_MB: u32 = 4;
/// Room left for the user's own files beyond the programs.
const SPARE_MB: u32 = 8;
/// CPUs of a shell session unless `--smp` says otherwise: Rintos is a multiprocessor kernel.
const SHELL_CPUS: u32 = 2;

/// Turns `options` into a shell session: `-q run shell` (the machine powers off when the
/// shell exits), with the persistent disk attached (unless the options already give a file
/// system), 4 MB of swap unless the options size it, and two CPUs unless `--smp` says.
pub fn prepare(
    options: &mut Options,
    artifacts: &GuestArtifacts,
    repo_root: &Path,
) -> anyhow::Result<()> {
    options.kernel_args = vec!["-q".into(), "run".into(), "shell".into()];
    options.swap.get_or_insert(PartitionSource::Size(SHELL_SWAP_MB * SECTORS_PER_MB));
    options.smp.get_or_insert(SHELL_CPUS);
    if options.filesys.is_none() {
        let disk = shell_disk(repo_root);
        sync_programs(&disk, artifacts)?;
        options.extra_disks.insert(0, ExtraDisk::Existing(disk));
    }
    Ok(())
}

/// Makes the disk at `path` hold the current build of every Rust user program, creating it
/// when missing or unusable and keeping the user's other files otherwise.
pub fn sync_programs(path: &Path, artifacts: &GuestArtifacts) -> anyhow::Result<()> {
    let programs = artifacts
        .rust_programs
        .iter()
        .map(|(name, elf)| Ok((name.clone(), std::fs::read(elf)?)))
        .collect::<anyhow::Result<Vec<(String, Vec<u8>)>>>()?;
    if path.exists() {
        match update(path, &programs) {
            Ok(()) => return Ok(()),
            Err(error) => eprintln!(
                "{}: {error:#}; making a new disk (files on the old one are lost)",
                path.display()
            ),
        }
    }
    create(path, &programs)
}

fn update(path: &Path, programs: &[(String, Vec<u8>)]) -> anyhow::Result<()> {
    let mut image = FilesysImage::open(path)?;
    for (name, data) in programs {
        if image.get(name).ok().as_ref() != Some(data) {
            image.put(name, data, true)?;
        }
    }
    Ok(())
}

fn create(path: &Path, programs: &[(String, Vec<u8>)]) -> anyhow::Result<()> {
    let program_sectors: usize = programs
        .iter()
        .map(|(_, data)| 1 + data.len().div_ceil(rintos_fs::SECTOR_SIZE))
        .sum();
    let sectors =
        (program_sectors as u32).next_multiple_of(SECTORS_PER_MB) + SPARE_MB * SECTORS_PER_MB;
    eprintln!(
        "Creating {} ({} MB) with {} programs...",
        path.display(),
        sectors / SECTORS_PER_MB,
        programs.len()
    );
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
    create_disk(
        path,
        &[PartitionSpec {
            kind: mbr::kind::FILESYS,
            contents: Contents::Empty { sectors },
        }],
    )?;
    let mut image = FilesysImage::format(path)?;
    for (name, data) in programs {
        image.put(name, data, false)?;
    }
    Ok(())
}

/// The persistent disk's path.
pub fn shell_disk(repo_root: &Path) -> PathBuf {
    repo_root.join(SHELL_DISK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn artifacts(dir: &Path, programs: &[(&str, &[u8])]) -> GuestArtifacts {
        let mut rust_programs = BTreeMap::new();
        for (name, data) in programs {
            let elf = dir.join(name);
            std::fs::write(&elf, data).unwrap();
            rust_programs.insert(name.to_string(), elf);
        }
        GuestArtifacts {
            kernel: dir.join("kernel"),
            symbols: dir.join("kernel.sym"),
            rust_programs,
            c_program_dir: dir.into(),
        }
    }

    #[test]
    fn the_shell_disk_is_created_then_kept_up_to_date_without_losing_user_files() {
        let dir = tempfile::tempdir().unwrap();
        let disk = dir.path().join("images/rintos.dsk");
        sync_programs(
            &disk,
            &artifacts(dir.path(), &[("echo", b"echo v1"), ("cat", b"cat v1")]),
        )
        .unwrap();
        let mut image = FilesysImage::open(&disk).unwrap();
        assert_eq!(image.get("echo").unwrap(), b"echo v1");
        image.put("notes", b"mine", false).unwrap();

        sync_programs(
            &disk,
            &artifacts(
                dir.path(),
                &[
                    ("echo", b"echo v2 longer"),
                    ("cat", b"cat v1"),
                    ("ls", b"ls"),
                ],
            ),
        )
        .unwrap();
        let image = FilesysImage::open(&disk).unwrap();
        assert_eq!(image.get("echo").unwrap(), b"echo v2 longer");
        assert_eq!(image.get("ls").unwrap(), b"ls");
        assert_eq!(image.get("notes").unwrap(), b"mine");
    }

    #[test]
    fn an_unusable_shell_disk_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let disk = dir.path().join("rintos.dsk");
        std::fs::write(&disk, vec![0xFF; 4096]).unwrap();
        sync_programs(&disk, &artifacts(dir.path(), &[("echo", b"echo")])).unwrap();
        assert_eq!(
            FilesysImage::open(&disk).unwrap().list(),
            vec![("echo".to_string(), 4)]
        );
    }

    #[test]
    fn prepare_runs_the_shell_on_the_persistent_disk() {
        let dir = tempfile::tempdir().unwrap();
        let mut options = Options::parse(&["-m".into(), "8".into()]).unwrap();
        prepare(
            &mut options,
            &artifacts(dir.path(), &[("shell", b"sh")]),
            dir.path(),
        )
        .unwrap();
        assert_eq!(options.kernel_args, ["-q", "run", "shell"]);
        assert_eq!(options.swap, Some(PartitionSource::Size(SHELL_SWAP_MB * SECTORS_PER_MB)));
        assert_eq!(options.cpus(), SHELL_CPUS);
        assert_eq!(
            options.extra_disks,
            [ExtraDisk::Existing(shell_disk(dir.path()))]
        );
        assert!(FilesysImage::open(&shell_disk(dir.path())).is_ok());
    }

    #[test]
    fn a_shell_session_keeps_the_cpus_it_is_given() {
        let dir = tempfile::tempdir().unwrap();
        let mut options = Options::parse(&["--smp=1".into()]).unwrap();
        prepare(&mut options, &artifacts(dir.path(), &[("shell", b"sh")]), dir.path()).unwrap();
        assert_eq!(options.cpus(), 1);
    }
}
