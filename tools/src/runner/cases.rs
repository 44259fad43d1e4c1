//! The runner's own QEMU tests (suite directory `runner/`): moving files in and out of the
//! guest, and the kernel's handling of full and corrupt file systems. Unlike the catalogue's
//! cases they need the host's view too (bytes copied out, images damaged on purpose), so each
//! is a Rust function.

use std::path::Path;

use rintos_fs::fs::DIRECTORY_CAPACITY;
use rintos_fs::mbr;

use super::{RunOutcome, run};
use crate::disk::{Contents, FileDisk, FilesysImage, PartitionSpec, create_disk, read_archive_files};

/// What a case found: everything its runs printed, and why it failed (empty = passed).
pub struct CaseReport {
    pub output: String,
    pub failures: Vec<String>,
}

pub struct RunnerCase {
    pub name: &'static str,
    /// Runs the case with a scratch directory of its own.
    pub run: fn(&Path) -> anyhow::Result<CaseReport>,
}

/// Every runner case.
pub fn all() -> Vec<RunnerCase> {
    vec![
        RunnerCase {
            name: "boot-power-off",
            run: boot_power_off,
        },
        RunnerCase {
            name: "put-ls-cat-rm",
            run: put_ls_cat_rm,
        },
        RunnerCase {
            name: "get-round-trip",
            run: get_round_trip,
        },
        RunnerCase {
            name: "filesys-full",
            run: filesys_full,
        },
        RunnerCase {
            name: "directory-full",
            run: directory_full,
        },
        RunnerCase {
            name: "corrupt-filesys",
            run: corrupt_filesys,
        },
        RunnerCase {
            name: "filesys-on-hdb",
            run: filesys_on_hdb,
        },
        RunnerCase {
            name: "leak-check",
            run: crate::stress::leak_check,
        },
    ]
}

/// The classic test options, then `extra`.
fn classic(extra: &[&str]) -> Vec<String> {
    ["-v", "-k", "-T", "60"]
        .iter()
        .chain(extra)
        .map(|arg| arg.to_string())
        .collect()
}

fn put_args(files: &[(&Path, &str)]) -> Vec<String> {
    files
        .iter()
        .flat_map(|(path, name)| {
            [
                "-p".into(),
                path.display().to_string(),
                "-a".into(),
                name.to_string(),
            ]
        })
        .collect()
}

/// Collects the failures of one case.
struct Checks {
    failures: Vec<String>,
}

impl Checks {
    fn new() -> Self {
        Checks {
            failures: Vec::new(),
        }
    }

    fn require(&mut self, ok: bool, what: impl Into<String>) {
        if !ok {
            self.failures.push(what.into());
        }
    }

    /// The run booted, finished its actions without a panic, and powered off.
    fn clean_run(&mut self, outcome: &RunOutcome) {
        self.require(
            outcome.clean_exit,
            format!(
                "the machine did not power off cleanly ({:?})",
                outcome.ending
            ),
        );
        self.require(!outcome.output.contains("PANIC"), "the kernel panicked");
        self.require(
            outcome
                .output
                .lines()
                .any(|line| line.contains("Boot complete")),
            "no `Boot complete` line",
        );
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

    fn report(self, outputs: &[&RunOutcome]) -> CaseReport {
        CaseReport {
            output: outputs
                .iter()
                .map(|outcome| outcome.output.as_str())
                .collect(),
            failures: self.failures,
        }
    }
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

fn boot_power_off(_dir: &Path) -> anyhow::Result<CaseReport> {
    let outcome = run(&classic(&["--", "-q"]))?;
    let mut checks = Checks::new();
    checks.require(
        outcome.clean_exit,
        format!(
            "the machine did not power off cleanly ({:?})",
            outcome.ending
        ),
    );
    checks.require(
        outcome
            .output
            .lines()
            .filter(|line| line.contains("Pintos booting"))
            .count()
            == 1,
        "not exactly one `Pintos booting` line",
    );
    Ok(checks.report(&[&outcome]))
}

fn put_ls_cat_rm(dir: &Path) -> anyhow::Result<CaseReport> {
    let text = dir.join("note.txt");
    std::fs::write(&text, "rintos-put-ok\n")?;
    let binary = dir.join("blob");
    std::fs::write(&binary, bytes(1500, 1))?;
    let mut args = classic(&["--filesys-size=2"]);
    args.extend(put_args(&[(&text, "note"), (&binary, "doomed-blob")]));
    args.extend(
        [
            "--",
            "-q",
            "-f",
            "ls",
            "cat",
            "note",
            "rm",
            "doomed-blob",
            "ls",
        ]
        .map(String::from),
    );
    let outcome = run(&args)?;
    let mut checks = Checks::new();
    checks.clean_run(&outcome);
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
    Ok(checks.report(&[&outcome]))
}

fn get_round_trip(dir: &Path) -> anyhow::Result<CaseReport> {
    let files = [
        ("data", bytes(3000, 2)),
        ("one-sector", bytes(512, 3)),
        ("empty", Vec::new()),
    ];
    let hda = dir.join("hda.dsk");
    let mut args = classic(&["--filesys-size=2"]);
    args.push(format!("--make-disk={}", hda.display()));
    for (name, data) in &files {
        let host = dir.join(format!("{name}.in"));
        std::fs::write(&host, data)?;
        args.extend(put_args(&[(&host, name)]));
    }
    // Got in another order than put, so that an archive the kernel never rewrote (still
    // holding the put files) cannot pass for the files it appended.
    let get_order = ["empty", "data", "one-sector"];
    for name in get_order {
        args.extend([
            "-g".into(),
            name.to_string(),
            "-a".into(),
            dir.join(format!("{name}.out")).display().to_string(),
        ]);
    }
    args.extend(["--", "-q", "-f"].map(String::from));
    let outcome = run(&args)?;
    let mut checks = Checks::new();
    checks.clean_run(&outcome);
    checks.require(
        outcome.get_errors.is_empty(),
        format!("copying out failed: {:?}", outcome.get_errors),
    );
    for (name, data) in &files {
        let got = std::fs::read(dir.join(format!("{name}.out"))).ok();
        checks.require(
            got.as_ref() == Some(data),
            format!("`{name}` did not come back byte for byte"),
        );
    }
    let archived: Vec<String> = read_archive_files(&hda)?
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    checks.require(
        archived == get_order,
        format!("the scratch archive holds {archived:?}, not the files appended in order"),
    );
    Ok(checks.report(&[&outcome]))
}

fn filesys_full(dir: &Path) -> anyhow::Result<CaseReport> {
    let big = dir.join("big");
    std::fs::write(&big, bytes(1536 * 1024, 4))?;
    let mut args = classic(&["--filesys-size=1"]);
    args.extend(put_args(&[(&big, "too-big")]));
    args.extend(["--", "-q", "-f", "ls"].map(String::from));
    let outcome = run(&args)?;
    let mut checks = Checks::new();
    checks.clean_run(&outcome);
    checks.error_line(
        &outcome,
        "too-big",
        &["full", "space", "error", "fail", "cannot", "could not"],
    );
    Ok(checks.report(&[&outcome]))
}

fn directory_full(dir: &Path) -> anyhow::Result<CaseReport> {
    let file = dir.join("tiny");
    std::fs::write(&file, b"x")?;
    let names: Vec<String> = (0..=DIRECTORY_CAPACITY)
        .map(|index| format!("f{index}"))
        .collect();
    let mut args = classic(&["--filesys-size=2"]);
    for name in &names {
        args.extend(put_args(&[(&file, name)]));
    }
    args.extend(["--", "-q", "-f", "ls"].map(String::from));
    let outcome = run(&args)?;
    let mut checks = Checks::new();
    checks.clean_run(&outcome);
    let last = names.last().expect("at least one name");
    checks.error_line(
        &outcome,
        last,
        &["full", "error", "fail", "cannot", "could not"],
    );
    Ok(checks.report(&[&outcome]))
}

/// The shell session's layout: the file system on its own disk, the slave of the first
/// channel (hdb), as `cargo run` attaches its persistent disk. The kernel must find it.
fn filesys_on_hdb(dir: &Path) -> anyhow::Result<CaseReport> {
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
    drop(filesys);

    let mut args = classic(&[]);
    args.push(format!("--disk={}", image.display()));
    args.extend(["--", "-q", "cat", "on-hdb"].map(String::from));
    let outcome = run(&args)?;
    let mut checks = Checks::new();
    checks.clean_run(&outcome);
    checks.require(
        outcome.output.contains("filesys: using hdb1"),
        "the kernel did not use the file system on hdb",
    );
    checks.require(
        outcome.output.contains("rintos-hdb-ok"),
        "`cat on-hdb` did not print the file",
    );
    Ok(checks.report(&[&outcome]))
}

fn corrupt_filesys(dir: &Path) -> anyhow::Result<CaseReport> {
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

    let mut args = classic(&[]);
    args.push(format!("--filesys={}", image.display()));
    args.extend(["--", "-q", "ls"].map(String::from));
    let outcome = run(&args)?;
    let mut checks = Checks::new();
    checks.clean_run(&outcome);
    checks.require(
        outcome.output.to_lowercase().contains("corrupt"),
        "no line says the file system is corrupt",
    );
    Ok(checks.report(&[&outcome]))
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
