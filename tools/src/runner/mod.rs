//! The runner: what `cargo run -- [OPTION...] -- [KERNEL-ARG...]` does, modelled on the
//! classic `pintos` script. It builds the guest, assembles a disk (MBR with kernel,
//! file-system, scratch and swap partitions, `-p` files in the scratch archive), boots QEMU,
//! streams and scans its output, and copies `-g` files out of the scratch archive afterwards.
//!
//! [`run`] does the same with the output captured, for the cases of the suite and of
//! `stress` (`crate::cases`).

mod gdb;
mod guest;
mod inject;
mod options;
mod qemu;
mod setup;
mod shell;
mod symbols;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, ensure};
use rintos_fs::mbr;

pub use guest::{
    GUEST_TARGET_DIR, GuestArtifacts, Language, Program, RELEASE, RELEASE_CHECKED, checked_kernel,
    guest_artifacts, kernel_type_sizes, user_program_names,
};
pub use options::{
    ExtraDisk, MAX_CPUS, Options, PartitionSource, Transfer, USAGE, kernel_command_line,
};
pub use qemu::Ending;
pub use setup::ensure_tools;
pub use shell::SHELL_DISK;
pub use symbols::write_symbol_file;

use crate::disk::{
    Contents, FileDisk, PartitionSpec, create_blank_disk, create_disk, read_archive_files,
    scratch_sectors_for, write_archive,
};
use qemu::{Machine, Supervision};
use symbols::Symbolizer;

/// The result of one simulation.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// Everything the run printed: the runner's own lines and the machine's output.
    pub output: String,
    /// QEMU's stderr.
    pub stderr: String,
    /// The kernel powered the machine off cleanly.
    pub clean_exit: bool,
    pub ending: Ending,
    /// `-g` files that could not be copied out.
    pub get_errors: Vec<String>,
}

/// The repository root: where cargo was told the root package lives.
pub fn repo_root() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// `cargo run -- ARGS`: runs interactively and turns the outcome into an exit status
/// (success only for a clean power-off).
pub fn main(args: &[String]) -> ExitCode {
    // Ctrl-C reaches QEMU too (same terminal), which stops the machine; the runner outlives
    // it to restore the terminal and delete its temporary disks.
    if let Err(error) = ctrlc::set_handler(|| {}) {
        eprintln!("rintos: cannot catch Ctrl-C ({error}); temporary disks may be left behind");
    }
    let result = Options::parse(args).and_then(|options| {
        if options.help {
            print!("{USAGE}");
            return Ok(None);
        }
        execute(options, &repo_root(), true).map(Some)
    });
    match result {
        Ok(None) => ExitCode::SUCCESS,
        Ok(Some(outcome)) => {
            for error in &outcome.get_errors {
                eprintln!("rintos: {error}");
            }
            if outcome.clean_exit && outcome.get_errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("rintos: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Like `cargo run -- <options.to_args()>`, but capturing the output instead of printing it.
pub fn run(options: &Options) -> anyhow::Result<RunOutcome> {
    ensure!(!options.help, "--help does not run anything");
    execute(options.clone(), &repo_root(), false)
}

fn execute(
    mut options: Options,
    repo_root: &Path,
    interactive: bool,
) -> anyhow::Result<RunOutcome> {
    let mut output = Vec::new();
    let mut emit = |bytes: &[u8]| {
        if interactive {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(bytes);
            let _ = stdout.flush();
        } else {
            output.extend_from_slice(bytes);
        }
    };
    for warning in &options.warnings {
        emit(format!("{warning}\n").as_bytes());
    }

    let shell_session = options.kernel_args.is_empty();
    let workdir = tempfile::Builder::new()
        .prefix("rintos-")
        .tempdir()
        .context("creating a temporary directory")?;
    // A kernel given with --kernel needs no build, unless the shell session needs the user
    // programs.
    let artifacts = if options.kernel.is_none() || shell_session {
        Some(guest_artifacts(repo_root)?)
    } else {
        ensure_tools(repo_root)?;
        None
    };
    if shell_session {
        let artifacts = artifacts.as_ref().expect("built for the shell session");
        shell::prepare(&mut options, artifacts, repo_root)?;
    }
    let (kernel, symbols) = match &options.kernel {
        Some(kernel) => {
            let symbols = workdir.path().join("kernel.sym");
            write_symbol_file(kernel, &symbols)?;
            (kernel.clone(), symbols)
        }
        None if options.lock_checks => checked_kernel(repo_root)?,
        None => {
            let artifacts = artifacts.expect("the guest is built when no kernel is given");
            (artifacts.kernel, artifacts.symbols)
        }
    };

    let hda = options
        .make_disk
        .clone()
        .unwrap_or_else(|| workdir.path().join("hda.dsk"));
    let mut disks = vec![hda.clone()];
    assemble_hda(&options, &kernel, &hda)?;
    if !options.injections.is_empty() {
        disks[0] = inject::wire(&options.injections, &hda)?;
    }
    for (index, extra) in options.extra_disks.iter().enumerate() {
        disks.push(match extra {
            ExtraDisk::Existing(path) => {
                FileDisk::open(path)?;
                path.clone()
            }
            ExtraDisk::Blank(sectors) => {
                let path = workdir.path().join(format!("blank{index}.dsk"));
                create_blank_disk(&path, *sectors)?;
                path
            }
        });
    }
    let drives = disks.len() + usize::from(options.stopped_disk);
    ensure!(
        drives <= 4,
        "QEMU's IDE controllers take at most 4 disks (hda..hdd), not {drives}"
    );

    let machine = Machine {
        kernel: std::path::absolute(&kernel)?,
        symbols,
        command_line: crate::quote::join(kernel_command_line(&options)),
        memory_mb: options.memory_mb,
        cpus: options.cpus(),
        disks,
        display: !options.no_vga && has_graphical_display(),
        gdb: options.gdb,
        kvm: options.kvm,
        throttle_iops: options.throttle_iops,
        icount: options.icount.clone(),
    };
    let mut args = qemu::qemu_args(&machine);
    if options.stopped_disk {
        args.extend(inject::stopped_disk_args(machine.disks.len()));
    }
    emit_unless_keyword(
        &mut emit,
        &crate::quote::join(std::iter::once(qemu::QEMU).chain(args.iter().map(String::as_str))),
    );
    if let Some(port) = options.gdb {
        let command = gdb::write_command_file(workdir.path(), &machine.kernel, repo_root, port)?;
        emit_unless_keyword(
            &mut emit,
            &format!(
                "Waiting for gdb on {}:{port}. In another terminal: {command}\n\
                 (the kernel's symbols and Rintos' gdb helpers: `help rintos` lists them)",
                qemu::GDB_HOST
            ),
        );
    }
    let symbolizer = Symbolizer::new(&machine.kernel, repo_root).ok();
    let supervision = Supervision {
        timeout_secs: options.timeout_secs,
        kill_on_failure: options.kill_on_failure,
        interactive,
        symbolizer: symbolizer.as_ref(),
    };
    let (ending, stderr) = qemu::run(qemu::QEMU, &args, &supervision, &mut emit)?;
    let get_errors = copy_out(&options, &hda, &mut emit);
    Ok(RunOutcome {
        output: String::from_utf8_lossy(&output).into_owned(),
        stderr,
        clean_exit: ending == Ending::PowerOff,
        ending,
        get_errors,
    })
}

/// Writes hda: kernel, file-system, scratch and swap partitions in that order (only those
/// requested), with the `-p` files archived on the scratch partition.
fn assemble_hda(options: &Options, kernel: &Path, hda: &Path) -> anyhow::Result<()> {
    let puts = options
        .puts
        .iter()
        .map(|put| {
            let data = std::fs::read(&put.file)
                .with_context(|| format!("-p {}: cannot read the file", put.file))?;
            Ok((put.destination().to_string(), data))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let put_sizes: Vec<u64> = puts.iter().map(|(_, data)| data.len() as u64).collect();
    let mut partitions = vec![PartitionSpec {
        kind: mbr::kind::KERNEL,
        contents: Contents::File(kernel.to_path_buf()),
    }];
    let source = |source: &PartitionSource| match source {
        PartitionSource::Size(sectors) => Contents::Empty { sectors: *sectors },
        PartitionSource::File(path) => Contents::File(path.clone()),
    };
    if let Some(filesys) = &options.filesys {
        partitions.push(PartitionSpec {
            kind: mbr::kind::FILESYS,
            contents: source(filesys),
        });
    }
    let scratch_needed = (!puts.is_empty() || !options.gets.is_empty())
        .then(|| scratch_sectors_for(&put_sizes, options.gets.len()));
    if let Some(sectors) = scratch_needed.max(options.scratch_sectors) {
        partitions.push(PartitionSpec {
            kind: mbr::kind::SCRATCH,
            contents: Contents::Empty { sectors },
        });
    }
    if let Some(swap) = &options.swap {
        partitions.push(PartitionSpec {
            kind: mbr::kind::SWAP,
            contents: source(swap),
        });
    }
    let table = create_disk(hda, &partitions)?;
    if !puts.is_empty() {
        let disk = FileDisk::open(hda)?;
        let (_, scratch) = table
            .find(mbr::kind::SCRATCH)
            .expect("a scratch partition was added for the puts");
        write_archive(&scratch.open(&disk)?, &puts)?;
    }
    Ok(())
}

/// Copies the `-g` files out of the scratch archive that the kernel's `append` actions
/// wrote; returns what went wrong.
fn copy_out(options: &Options, hda: &Path, emit: &mut dyn FnMut(&[u8])) -> Vec<String> {
    if options.gets.is_empty() {
        return Vec::new();
    }
    let files = match read_archive_files(hda) {
        Ok(files) => files,
        Err(error) => return vec![format!("-g: {error:#}")],
    };
    let mut errors = Vec::new();
    for get in &options.gets {
        let result = match files.iter().find(|(name, _)| *name == get.file) {
            Some((_, data)) => std::fs::write(get.destination(), data)
                .with_context(|| format!("{}: write", get.destination())),
            None => Err(anyhow::anyhow!(
                "'{}' is not in the scratch archive (the kernel did not append it)",
                get.file
            )),
        };
        match result {
            Ok(()) => emit_unless_keyword(
                emit,
                &format!(
                    "Copied '{}' out of the guest to {}",
                    get.file,
                    get.destination()
                ),
            ),
            Err(error) => errors.push(format!("-g {}: {error:#}", get.file)),
        }
    }
    errors
}

/// The runner's own lines must not look like a test result: the checkers fail any output
/// line containing these words.
fn emit_unless_keyword(emit: &mut dyn FnMut(&[u8]), line: &str) {
    if !["FAIL", "PANIC", "TIMEOUT"]
        .iter()
        .any(|word| line.contains(word))
    {
        emit(format!("{line}\n").as_bytes());
    }
}

fn has_graphical_display() -> bool {
    std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rintos_fs::mbr::PartitionTable;

    fn options(args: &str) -> Options {
        Options::parse(
            &args
                .split_whitespace()
                .map(String::from)
                .collect::<Vec<_>>(),
        )
        .unwrap()
    }

    fn kinds_and_sizes(hda: &Path) -> Vec<(u8, u32)> {
        let table = PartitionTable::read(&FileDisk::open(hda).unwrap()).unwrap();
        table
            .entries
            .iter()
            .flatten()
            .map(|entry| (entry.kind, entry.sector_count))
            .collect()
    }

    #[test]
    fn hda_holds_the_requested_partitions_in_the_classic_order() {
        let dir = tempfile::tempdir().unwrap();
        let kernel = dir.path().join("kernel");
        std::fs::write(&kernel, vec![1; 5000]).unwrap();
        let hda = dir.path().join("hda.dsk");

        assemble_hda(&options("--swap-size=4 --filesys-size=2"), &kernel, &hda).unwrap();
        assert_eq!(
            kinds_and_sizes(&hda),
            [
                (mbr::kind::KERNEL, 10),
                (mbr::kind::FILESYS, 4096),
                (mbr::kind::SWAP, 8192)
            ]
        );

        assemble_hda(&options("--scratch-size=1"), &kernel, &hda).unwrap();
        assert_eq!(
            kinds_and_sizes(&hda),
            [(mbr::kind::KERNEL, 10), (mbr::kind::SCRATCH, 2048)]
        );

        assemble_hda(&options(""), &kernel, &hda).unwrap();
        assert_eq!(kinds_and_sizes(&hda), [(mbr::kind::KERNEL, 10)]);
    }

    #[test]
    fn put_files_are_archived_on_a_scratch_partition_big_enough_for_the_gets() {
        let dir = tempfile::tempdir().unwrap();
        let kernel = dir.path().join("kernel");
        std::fs::write(&kernel, b"kernel").unwrap();
        let put = dir.path().join("program");
        std::fs::write(&put, vec![7; 1000]).unwrap();
        let hda = dir.path().join("hda.dsk");
        let args = format!(
            "-p {} -a prog -p {} -g out --filesys-size=2",
            put.display(),
            put.display()
        );

        assemble_hda(&options(&args), &kernel, &hda).unwrap();
        let scratch = 2 * (1 + 2) + 2 + 2048;
        assert_eq!(
            kinds_and_sizes(&hda),
            [
                (mbr::kind::KERNEL, 1),
                (mbr::kind::FILESYS, 4096),
                (mbr::kind::SCRATCH, scratch)
            ]
        );
        let files = read_archive_files(&hda).unwrap();
        assert_eq!(
            files,
            [
                ("prog".to_string(), vec![7; 1000]),
                (put.display().to_string(), vec![7; 1000])
            ]
        );
    }

    #[test]
    fn an_unreadable_put_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let kernel = dir.path().join("kernel");
        std::fs::write(&kernel, b"kernel").unwrap();
        let error = assemble_hda(
            &options("-p /nonexistent/file"),
            &kernel,
            &dir.path().join("hda"),
        )
        .unwrap_err();
        assert!(
            format!("{error:#}").contains("-p /nonexistent/file: cannot read the file"),
            "{error:#}"
        );
    }
}
