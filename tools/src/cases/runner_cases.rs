//! The runner's own cases (suite directory `runner/`): moving files in and out of the guest,
//! the kernel's handling of full and corrupt file systems, and the leak check itself. Unlike
//! the catalogue's cases they need the host's view too (files set up before the run, bytes
//! copied out, images damaged on purpose), so each is two Rust functions: one that sets up
//! the run in a scratch directory of its own, one that judges it.

use std::path::Path;

use rintos_fs::fs::DIRECTORY_CAPACITY;
use rintos_fs::mbr;

use crate::disk::{
    Contents, FileDisk, FilesysImage, PartitionSpec, create_disk, read_archive_files,
};
use crate::runner::{ExtraDisk, Options, PartitionSource, RunOutcome};
use crate::suite::{self, Checker, TestCase};

pub struct RunnerCase {
    pub name: &'static str,
    /// Sets up the run in the case's scratch directory; returns the runner's options.
    pub prepare: fn(&Path) -> anyhow::Result<Options>,
    /// Judges the run, with the scratch directory: why the case failed (nothing if it passed).
    pub judge: fn(&Path, &RunOutcome) -> Vec<String>,
}

/// Every runner case.
pub fn all() -> Vec<RunnerCase> {
    vec![
        RunnerCase {
            name: "boot-power-off",
            prepare: |_| Ok(classic(&[], &["-q"])),
            judge: boot_power_off,
        },
        RunnerCase {
            name: "put-ls-cat-rm",
            prepare: put_ls_cat_rm,
            judge: |_, outcome| {
                let mut checks = Checks::after(outcome);
                checks.require(
                    listed(&outcome.output, "note") == 2,
                    "`note` is not in both listings",
                );
                checks.require(
                    listed(&outcome.output, "doomed-blob") == 1,
                    "`doomed-blob` is not in exactly the listing before `rm`",
                );
                checks.require(
                    outcome.output.contains("rintos-put-ok"),
                    "`cat note` did not print the file",
                );
                checks.failures
            },
        },
        RunnerCase {
            name: "get-round-trip",
            prepare: get_round_trip,
            judge: judge_round_trip,
        },
        RunnerCase {
            name: "filesys-full",
            prepare: |dir| {
                let big = dir.join("big");
                std::fs::write(&big, bytes(1536 * 1024, 4))?;
                let mut options = classic(&["--filesys-size=1"], &["-q", "-f", "ls"]);
                options.put(&big, "too-big");
                Ok(options)
            },
            judge: |_, outcome| {
                let mut checks = Checks::after(outcome);
                checks.error_line(
                    outcome,
                    "too-big",
                    &["full", "space", "error", "fail", "cannot", "could not"],
                );
                checks.failures
            },
        },
        RunnerCase {
            name: "directory-full",
            prepare: |dir| {
                let file = dir.join("tiny");
                std::fs::write(&file, b"x")?;
                let mut options = classic(&["--filesys-size=2"], &["-q", "-f", "ls"]);
                for index in 0..=DIRECTORY_CAPACITY {
                    options.put(&file, &format!("f{index}"));
                }
                Ok(options)
            },
            judge: |_, outcome| {
                let mut checks = Checks::after(outcome);
                let last = format!("f{DIRECTORY_CAPACITY}");
                checks.error_line(
                    outcome,
                    &last,
                    &["full", "error", "fail", "cannot", "could not"],
                );
                checks.failures
            },
        },
        RunnerCase {
            name: "corrupt-filesys",
            prepare: corrupt_filesys,
            judge: |_, outcome| {
                showing(
                    outcome,
                    &[("corrupt", "no line says the file system is corrupt")],
                )
            },
        },
        RunnerCase {
            name: "filesys-on-hdb",
            prepare: filesys_on_hdb,
            judge: |_, outcome| {
                showing(
                    outcome,
                    &[
                        (
                            "filesys: using hdb1",
                            "the kernel did not use the file system on hdb",
                        ),
                        ("rintos-hdb-ok", "`cat on-hdb` did not print the file"),
                    ],
                )
            },
        },
        RunnerCase {
            name: "leak-check",
            prepare: |_| {
                Ok(leak_case().runner_options(&|_| unreachable!("no user program"), Path::new("")))
            },
            judge: judge_leak_check,
        },
    ]
}

/// The classic test options with `runner_args` added, and the kernel arguments.
fn classic(runner_args: &[&str], kernel_args: &[&str]) -> Options {
    let mut options = Options::classic(60);
    let runner_args: Vec<String> = runner_args.iter().map(|arg| arg.to_string()).collect();
    options
        .apply_args(&runner_args)
        .expect("valid runner options");
    options.kernel_args = kernel_args.iter().map(|arg| arg.to_string()).collect();
    options
}

/// Collects the failures of one case.
struct Checks {
    failures: Vec<String>,
}

impl Checks {
    /// The checks of a run that booted, finished its actions without a panic, and powered
    /// off.
    fn after(outcome: &RunOutcome) -> Checks {
        let mut checks = Checks {
            failures: Vec::new(),
        };
        checks.require(
            outcome.clean_exit,
            format!(
                "the machine did not power off cleanly ({:?})",
                outcome.ending
            ),
        );
        checks.require(!outcome.output.contains("PANIC"), "the kernel panicked");
        checks.require(
            outcome
                .output
                .lines()
                .any(|line| line.contains("Boot complete")),
            "no `Boot complete` line",
        );
        checks
    }

    fn require(&mut self, ok: bool, what: impl Into<String>) {
        if !ok {
            self.failures.push(what.into());
        }
    }

    /// Some line of the kernel's output reports an error about `name`, mentioning one of
    /// `words` (case-insensitive).
    fn error_line(&mut self, outcome: &RunOutcome, name: &str, words: &[&str]) {
        let found = outcome.output.lines().any(|line| {
            let lower = line.to_lowercase();
            line.contains(name)
                && !line.starts_with("Kernel command line")
                && words.iter().any(|word| lower.contains(word))
        });
        self.require(
            found,
            format!("no line reports an error about '{name}' (mentioning one of {words:?})"),
        );
    }
}

/// The failures of a clean run whose output should contain each text of `expected`
/// (ignoring case), given with what its absence means.
fn showing(outcome: &RunOutcome, expected: &[(&str, &str)]) -> Vec<String> {
    let mut checks = Checks::after(outcome);
    let output = outcome.output.to_lowercase();
    for (text, absent) in expected {
        checks.require(output.contains(&text.to_lowercase()), *absent);
    }
    checks.failures
}

/// Deterministic test bytes.
fn bytes(len: usize, seed: u32) -> Vec<u8> {
    let mut state = seed.max(1);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect()
}

/// Lines whose first word is `name`: how a listing shows a file.
fn listed(output: &str, name: &str) -> usize {
    output
        .lines()
        .filter(|line| line.split_whitespace().next() == Some(name))
        .count()
}

fn boot_power_off(_dir: &Path, outcome: &RunOutcome) -> Vec<String> {
    let mut failures = Vec::new();
    if !outcome.clean_exit {
        failures.push(format!(
            "the machine did not power off cleanly ({:?})",
            outcome.ending
        ));
    }
    if outcome
        .output
        .lines()
        .filter(|line| line.contains("Pintos booting"))
        .count()
        != 1
    {
        failures.push("not exactly one `Pintos booting` line".into());
    }
    failures
}

fn put_ls_cat_rm(dir: &Path) -> anyhow::Result<Options> {
    let text = dir.join("note.txt");
    std::fs::write(&text, "rintos-put-ok\n")?;
    let binary = dir.join("blob");
    std::fs::write(&binary, bytes(1500, 1))?;
    let mut options = classic(
        &["--filesys-size=2"],
        &["-q", "-f", "ls", "cat", "note", "rm", "doomed-blob", "ls"],
    );
    options.put(&text, "note");
    options.put(&binary, "doomed-blob");
    Ok(options)
}

/// The files of `get-round-trip`: name, length and seed of their bytes.
const ROUND_TRIP_FILES: [(&str, usize, u32); 3] =
    [("data", 3000, 2), ("one-sector", 512, 3), ("empty", 0, 4)];
/// Got in another order than put, so that an archive the kernel never rewrote (still
/// holding the put files) cannot pass for the files it appended.
const ROUND_TRIP_GET_ORDER: [&str; 3] = ["empty", "data", "one-sector"];

fn get_round_trip(dir: &Path) -> anyhow::Result<Options> {
    let mut options = classic(&["--filesys-size=2"], &["-q", "-f"]);
    options.make_disk = Some(dir.join("hda.dsk"));
    for (name, len, seed) in ROUND_TRIP_FILES {
        let host = dir.join(format!("{name}.in"));
        std::fs::write(&host, bytes(len, seed))?;
        options.put(&host, name);
    }
    for name in ROUND_TRIP_GET_ORDER {
        options.get(name, &dir.join(format!("{name}.out")));
    }
    Ok(options)
}

fn judge_round_trip(dir: &Path, outcome: &RunOutcome) -> Vec<String> {
    let mut checks = Checks::after(outcome);
    checks.require(
        outcome.get_errors.is_empty(),
        format!("copying out failed: {:?}", outcome.get_errors),
    );
    for (name, len, seed) in ROUND_TRIP_FILES {
        let got = std::fs::read(dir.join(format!("{name}.out"))).ok();
        checks.require(
            got == Some(bytes(len, seed)),
            format!("`{name}` did not come back byte for byte"),
        );
    }
    match read_archive_files(&dir.join("hda.dsk")) {
        Ok(files) => {
            let archived: Vec<String> = files.into_iter().map(|(name, _)| name).collect();
            checks.require(
                archived == ROUND_TRIP_GET_ORDER,
                format!("the scratch archive holds {archived:?}, not the files appended in order"),
            );
        }
        Err(error) => checks.require(false, format!("reading the scratch archive: {error:#}")),
    }
    checks.failures
}

/// The shell session's layout: the file system on its own disk, the slave of the first
/// channel (hdb), as `cargo run` attaches its persistent disk. The kernel must find it.
fn filesys_on_hdb(dir: &Path) -> anyhow::Result<Options> {
    let image = dir.join("hdb.dsk");
    create_disk(
        &image,
        &[PartitionSpec {
            kind: mbr::kind::FILESYS,
            contents: Contents::Empty { sectors: 2048 },
        }],
    )?;
    let mut filesys = FilesysImage::format(&image)?;
    filesys.put("on-hdb", b"rintos-hdb-ok\n", false)?;
    let mut options = classic(&[], &["-q", "cat", "on-hdb"]);
    options.extra_disks.push(ExtraDisk::Existing(image));
    Ok(options)
}

fn corrupt_filesys(dir: &Path) -> anyhow::Result<Options> {
    // A file system whose only file claims sectors past the end of the partition.
    let image = dir.join("corrupt.img");
    FileDisk::create(&image, 2048)?;
    let mut filesys = FilesysImage::format(&image)?;
    filesys.put("victim", &bytes(2000, 5), false)?;
    drop(filesys);
    corrupt_first_inode(&image)?;
    anyhow::ensure!(
        FilesysImage::open(&image).is_err(),
        "the host still mounts the damaged image"
    );
    let mut options = classic(&[], &["-q", "ls"]);
    options.filesys = Some(PartitionSource::File(image));
    Ok(options)
}

/// Points the data extent of the file system's first inode far past the end of the device.
fn corrupt_first_inode(image: &Path) -> anyhow::Result<()> {
    use rintos_fs::BlockDevice;
    let disk = FileDisk::open(image)?;
    let mut sector = [0; rintos_fs::SECTOR_SIZE];
    // Sector 0 is the superblock, 1 the free map; the directory follows, and its first entry
    // begins with the inode's sector number.
    disk.read_sector(2, &mut sector)?;
    let inode = u32::from_le_bytes(sector[..4].try_into()?);
    disk.read_sector(inode, &mut sector)?;
    sector[4..8].copy_from_slice(&0x00FF_FFFFu32.to_le_bytes());
    disk.write_sector(inode, &sector)?;
    Ok(())
}

/// The kernel test `leak` leaks a user frame, a kernel page, a swap slot, heap bytes and an
/// open file on purpose, and the suite's checker must fail it for exactly those five (the
/// same check passes every other case).
fn leak_case() -> TestCase {
    TestCase {
        dir: "kernel".into(),
        name: "leak".into(),
        program: None,
        putfiles: Vec::new(),
        run_args: None,
        kernel_args: Some(["-q", "-f", "ktest", "leak"].map(String::from).to_vec()),
        runner_args: Vec::new(),
        timeout_secs: 60,
        checker: Checker::KernelTest,
        rubric: None,
    }
}

fn judge_leak_check(_dir: &Path, outcome: &RunOutcome) -> Vec<String> {
    let verdict = suite::check(&leak_case(), &outcome.output, outcome.clean_exit);
    let mut leaked: Vec<&str> = verdict
        .reasons
        .iter()
        .filter_map(|reason| reason.strip_prefix("Resource leak: ")?.split(' ').next())
        .collect();
    let mut failures = Vec::new();
    if verdict.passed || verdict.reasons.len() != leaked.len() {
        failures.push(format!(
            "the checker should fail the run for its leaks only, but said: {:?}",
            verdict.reasons
        ));
    }
    leaked.sort_unstable();
    let expected = [
        "free-frames",
        "free-swap-slots",
        "heap-bytes",
        "kernel-pages-in-use",
        "open-files",
    ];
    if leaked != expected {
        failures.push(format!("leaks found: {leaked:?}, expected {expected:?}"));
    }
    failures
}
