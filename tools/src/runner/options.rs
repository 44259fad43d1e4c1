//! The runner's command line, modelled on the classic `pintos` script:
//! `[OPTION...] -- [KERNEL-ARG...]`.
//!
//! Hand-parsed rather than with clap because `-a NAME` applies to whichever of `-p`/`-g`
//! came just before it, an ordering rule clap's derive API cannot express.

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail, ensure};

use crate::disk::{SECTORS_PER_MB, mb_to_sectors};

/// A file copied into the guest before the run (`-p`) or out of it afterwards (`-g`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// The name given to `-p` (a host path) or `-g` (a guest file name).
    pub file: String,
    /// The name given by a following `-a`: the guest name for `-p`, the host path for `-g`.
    pub rename: Option<String>,
}

impl Transfer {
    /// The name on the other side: the `-a` name, or else the same name.
    pub fn destination(&self) -> &str {
        self.rename.as_deref().unwrap_or(&self.file)
    }
}

/// How a partition of the assembled disk is given.
#[derive(Debug, Clone, PartialEq)]
pub enum PartitionSource {
    /// An empty partition of this many sectors (`--filesys-size=MB`).
    Size(u32),
    /// A copy of a host file (`--filesys=FILE`).
    File(PathBuf),
}

/// A whole disk added after the assembled one.
#[derive(Debug, Clone, PartialEq)]
pub enum ExtraDisk {
    /// An existing image, used in place (`--disk=FILE`).
    Existing(PathBuf),
    /// A fresh empty disk of this many sectors (`--blank-disk=MB`).
    Blank(u32),
}

/// What the runner is asked to do: the typed form of its command line. [`Options::parse`]
/// reads it from the command line and [`Options::to_args`] writes it back; the runner turns
/// it into QEMU's and the kernel's arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub puts: Vec<Transfer>,
    pub gets: Vec<Transfer>,
    pub filesys: Option<PartitionSource>,
    pub scratch_sectors: Option<u32>,
    pub swap: Option<PartitionSource>,
    /// Guest RAM in megabytes.
    pub memory_mb: u32,
    /// Virtual CPUs (`--smp`), if given; QEMU runs each on a host thread of its own. See
    /// [`Options::cpus`].
    pub smp: Option<u32>,
    pub timeout_secs: Option<u64>,
    pub kill_on_failure: bool,
    pub no_vga: bool,
    /// Wait for gdb on this local TCP port (`--gdb[=PORT]`).
    pub gdb: Option<u16>,
    pub kvm: bool,
    /// Limit every disk to this many requests per second (QEMU block throttling), so that
    /// disk latency is real rather than the host page cache's.
    pub throttle_iops: Option<u32>,
    /// QEMU `-icount shift=VALUE`: guest time counted in executed instructions (a number
    /// or `auto`), so that the host's load does not show in the guest's clocks.
    pub icount: Option<String>,
    /// Boot this kernel ELF instead of building one.
    pub kernel: Option<PathBuf>,
    /// Boot the kernel built with debug assertions, which checks the lock order.
    pub lock_checks: bool,
    /// Keep the assembled disk at this path.
    pub make_disk: Option<PathBuf>,
    pub extra_disks: Vec<ExtraDisk>,
    /// Disk faults QEMU makes on hda (`--inject`).
    pub injections: Vec<super::inject::Injection>,
    /// Add a disk, after the others, that never completes a transfer.
    pub stopped_disk: bool,
    /// Messages to show before running (options accepted but meaningless under QEMU).
    pub warnings: Vec<String>,
    pub help: bool,
    /// Everything after `--`.
    pub kernel_args: Vec<String>,
}

pub const DEFAULT_MEMORY_MB: u32 = 4;
/// The most virtual CPUs `--smp` takes.
pub const MAX_CPUS: u32 = 8;

impl Default for Options {
    /// The runner's defaults: what an empty command line gives.
    fn default() -> Options {
        Options {
            puts: Vec::new(),
            gets: Vec::new(),
            filesys: None,
            scratch_sectors: None,
            swap: None,
            memory_mb: DEFAULT_MEMORY_MB,
            smp: None,
            timeout_secs: None,
            kill_on_failure: false,
            no_vga: false,
            gdb: None,
            kvm: false,
            throttle_iops: None,
            icount: None,
            kernel: None,
            lock_checks: false,
            make_disk: None,
            extra_disks: Vec::new(),
            injections: Vec::new(),
            stopped_disk: false,
            warnings: Vec::new(),
            help: false,
            kernel_args: Vec::new(),
        }
    }
}

pub const USAGE: &str = "\
Usage: cargo run -- [OPTION...] -- [KERNEL-ARG...]
       cargo run -- stress fuzz|repeat|mutants [...]   (reliability runs, see `stress --help`)
       cargo run -- gdb-layout   (rewrites the gdb helpers' tools/gdb/layout.json)
Boots Rintos under QEMU. With no KERNEL-ARG, boots into the shell on the persistent disk in
disk-images/. Options:
  -p, --put-file=HOST    copy HOST into the guest file system (via `extract`)
  -g, --get-file=GUEST   copy GUEST out of the guest after the run (via `append`)
  -a, --as=NAME          name of the previous -p file in the guest, or -g file on the host
  --filesys-size=MB, --scratch-size=MB, --swap-size=MB
                         add an empty partition of that size
  --filesys=FILE, --swap=FILE
                         add a partition holding a copy of FILE
  --kernel=FILE          boot this kernel ELF instead of building one
  --lock-checks          boot the kernel built with debug assertions (lock-order checks)
  --make-disk=FILE       keep the assembled disk (hda) in FILE
  --disk=FILE            add an existing disk image (hdb, hdc, hdd in order)
  --blank-disk=MB        add an empty disk of that size
  -m, --mem=MB           guest RAM (default 4)
  --smp=N                N virtual CPUs (1 to 8, default 1), each a host thread
                         (QEMU's multi-threaded TCG)
  -T, --timeout=N        kill the simulation after N seconds
  -k, --kill-on-failure  kill the simulation soon after a panic or test failure
  -v, --no-vga           no VGA window
  --gdb[=PORT]           wait for gdb on localhost:PORT (default 1234; disables the
                         timeout) and print the gdb command that attaches with the
                         kernel's symbols and Rintos' helpers (tools/gdb/rintos.py)
  --kvm                  use KVM instead of TCG (not everywhere reliable)
  --throttle-iops=N      limit each disk to N requests per second (QEMU counts each
                         block of a PIO transfer, 8 sectors in Rintos' multiple mode,
                         as one request); hda holds the file system, scratch and swap
                         partitions, so all of them are limited
  --inject=ROLE:FAULT@WHERE
                         make reads or writes of one sector of hda fail (QEMU blkdebug):
                         ROLE filesys, scratch or swap; FAULT read-error or write-error;
                         WHERE a sector of the partition, or FILE[+OFFSET] of a -p file
  --stopped-disk         add a 1 MB disk, after the others, that never completes a transfer
  --icount=SHIFT         guest clocks count executed instructions, 2^SHIFT ns each
                         (SHIFT a number or `auto`): timings no longer depend on host load;
                         with --throttle-iops and a number, the guest's clock may not run
                         ahead of the host's, by which the throttle counts (align=on)
  --qemu                 accepted for compatibility (QEMU is the only simulator)
  -j SEED                accepted with a warning (Bochs only)
  -h, --help             this message
";

/// The port `--gdb` listens on without one, the classic script's.
pub const DEFAULT_GDB_PORT: u16 = 1234;

/// Options that take a value, by every spelling.
const VALUED: &[(&str, &str)] = &[
    ("p", "put-file"),
    ("g", "get-file"),
    ("a", "as"),
    ("m", "mem"),
    ("T", "timeout"),
    ("j", "jitter"),
    ("", "memory"),
    ("", "filesys-size"),
    ("", "scratch-size"),
    ("", "swap-size"),
    ("", "filesys"),
    ("", "swap"),
    ("", "kernel"),
    ("", "make-disk"),
    ("", "disk"),
    ("", "blank-disk"),
    ("", "throttle-iops"),
    ("", "icount"),
    ("", "smp"),
    ("", "inject"),
];

impl Options {
    /// Virtual CPUs of the run: `--smp`, or 1 (the classic runs; the shell session of a
    /// bare `cargo run` chooses its own default).
    pub fn cpus(&self) -> u32 {
        self.smp.unwrap_or(1)
    }

    /// Parses the runner's arguments (what follows `cargo run --`).
    pub fn parse(args: &[String]) -> anyhow::Result<Options> {
        let mut options = Options::default();
        let (runner_args, kernel_args) = match args.iter().position(|arg| arg == "--") {
            Some(split) => (&args[..split], &args[split + 1..]),
            None => (args, &[][..]),
        };
        if let Some(quoted) = kernel_args.iter().find(|arg| arg.contains('\'')) {
            bail!(
                "kernel argument {quoted:?}: the kernel command line cannot carry a single quote"
            );
        }
        options.kernel_args = kernel_args.to_vec();
        options.apply_args(runner_args)?;
        if options.gdb.is_some() && options.timeout_secs.take().is_some() {
            options
                .warnings
                .push("warning: disabling timeout with --gdb".into());
        }
        Ok(options)
    }

    /// The options of the classic `make check` for one test: no VGA window, kill the machine
    /// soon after a failure, and a timeout (`-v -k -T SECS`).
    pub fn classic(timeout_secs: u64) -> Options {
        Options {
            no_vga: true,
            kill_on_failure: true,
            timeout_secs: Some(timeout_secs),
            ..Options::default()
        }
    }

    /// Applies runner options (no kernel arguments) on top of these, as if they followed
    /// them on the command line.
    pub fn apply_args(&mut self, args: &[String]) -> anyhow::Result<()> {
        // Which list the next `-a` renames in.
        let mut last_transfer: Option<bool> = None;
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            for (name, value) in split_option(arg, &mut rest)? {
                self.apply(&name, value, &mut last_transfer)?;
            }
        }
        Ok(())
    }

    /// Puts the host file `host` into the guest file system as `guest` (`-p HOST -a GUEST`).
    pub fn put(&mut self, host: &Path, guest: &str) {
        self.puts.push(Transfer {
            file: host.display().to_string(),
            rename: Some(guest.to_string()),
        });
    }

    /// Copies the guest file `guest` out to `host` after the run (`-g GUEST -a HOST`).
    pub fn get(&mut self, guest: &str, host: &Path) {
        self.gets.push(Transfer {
            file: guest.to_string(),
            rename: Some(host.display().to_string()),
        });
    }

    /// The command line that [`Options::parse`] reads back into these options (less the
    /// warnings, which parsing makes).
    pub fn to_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        let mut flag = |on: bool, name: &str| {
            if on {
                args.push(name.to_string());
            }
        };
        flag(self.no_vga, "-v");
        flag(self.kill_on_failure, "-k");
        flag(self.gdb == Some(DEFAULT_GDB_PORT), "--gdb");
        flag(self.kvm, "--kvm");
        flag(self.lock_checks, "--lock-checks");
        flag(self.stopped_disk, "--stopped-disk");
        flag(self.help, "--help");
        let mut valued = |name: &str, value: Option<String>| {
            if let Some(value) = value {
                args.push(format!("--{name}={value}"));
            }
        };
        valued(
            "gdb",
            self.gdb
                .filter(|&port| port != DEFAULT_GDB_PORT)
                .map(|port| port.to_string()),
        );
        valued("timeout", self.timeout_secs.map(|secs| secs.to_string()));
        valued(
            "mem",
            (self.memory_mb != DEFAULT_MEMORY_MB).then(|| self.memory_mb.to_string()),
        );
        valued("smp", self.smp.map(|cpus| cpus.to_string()));
        for (name, source) in [("filesys", &self.filesys), ("swap", &self.swap)] {
            match source {
                Some(PartitionSource::Size(sectors)) => {
                    valued(&format!("{name}-size"), Some(megabytes(*sectors)))
                }
                Some(PartitionSource::File(path)) => valued(name, Some(path.display().to_string())),
                None => {}
            }
        }
        valued("scratch-size", self.scratch_sectors.map(megabytes));
        valued(
            "throttle-iops",
            self.throttle_iops.map(|iops| iops.to_string()),
        );
        valued("icount", self.icount.clone());
        for injection in &self.injections {
            valued("inject", Some(injection.to_string()));
        }
        valued(
            "kernel",
            self.kernel.as_ref().map(|path| path.display().to_string()),
        );
        valued(
            "make-disk",
            self.make_disk
                .as_ref()
                .map(|path| path.display().to_string()),
        );
        for disk in &self.extra_disks {
            match disk {
                ExtraDisk::Existing(path) => valued("disk", Some(path.display().to_string())),
                ExtraDisk::Blank(sectors) => valued("blank-disk", Some(megabytes(*sectors))),
            }
        }
        for (option, transfers) in [("-p", &self.puts), ("-g", &self.gets)] {
            for transfer in transfers {
                args.extend([option.to_string(), transfer.file.clone()]);
                if let Some(rename) = &transfer.rename {
                    args.extend(["-a".to_string(), rename.clone()]);
                }
            }
        }
        args.push("--".into());
        args.extend(self.kernel_args.iter().cloned());
        args
    }

    fn apply(
        &mut self,
        name: &str,
        value: Option<String>,
        last_transfer: &mut Option<bool>,
    ) -> anyhow::Result<()> {
        let value_of = |what: &str| {
            value
                .clone()
                .ok_or_else(|| anyhow!("option {what} needs a value"))
        };
        match name {
            "p" | "put-file" => {
                self.puts.push(Transfer {
                    file: value_of(name)?,
                    rename: None,
                });
                *last_transfer = Some(true);
            }
            "g" | "get-file" => {
                self.gets.push(Transfer {
                    file: value_of(name)?,
                    rename: None,
                });
                *last_transfer = Some(false);
            }
            "a" | "as" => {
                let transfer = match last_transfer {
                    Some(true) => self.puts.last_mut(),
                    Some(false) => self.gets.last_mut(),
                    None => None,
                }
                .ok_or_else(|| anyhow!("-a (or --as) is only allowed after -p or -g"))?;
                ensure!(
                    transfer.rename.is_none(),
                    "only one -a (or --as) is allowed after -p or -g"
                );
                transfer.rename = Some(value_of(name)?);
            }
            "m" | "mem" | "memory" => {
                self.memory_mb = parse_number(name, &value_of(name)?)?;
                ensure!(self.memory_mb > 0, "guest memory must be at least 1 MB");
            }
            "smp" => {
                let cpus = parse_number(name, &value_of(name)?)?;
                ensure!((1..=MAX_CPUS).contains(&cpus), "--smp takes 1 to {MAX_CPUS} CPUs, not {cpus}");
                self.smp = Some(cpus);
            }
            "T" | "timeout" => self.timeout_secs = Some(parse_number(name, &value_of(name)?)?),
            "j" | "jitter" => {
                parse_number::<u64>(name, &value_of(name)?)?;
                self.warnings
                    .push("warning: qemu doesn't support jitter".into());
            }
            "filesys-size" => {
                self.filesys = Some(PartitionSource::Size(parse_megabytes(
                    name,
                    &value_of(name)?,
                )?))
            }
            "scratch-size" => self.scratch_sectors = Some(parse_megabytes(name, &value_of(name)?)?),
            "swap-size" => {
                self.swap = Some(PartitionSource::Size(parse_megabytes(
                    name,
                    &value_of(name)?,
                )?))
            }
            "filesys" => self.filesys = Some(PartitionSource::File(value_of(name)?.into())),
            "swap" => self.swap = Some(PartitionSource::File(value_of(name)?.into())),
            "kernel" => self.kernel = Some(value_of(name)?.into()),
            "lock-checks" => self.lock_checks = true,
            "make-disk" => self.make_disk = Some(value_of(name)?.into()),
            "disk" => self
                .extra_disks
                .push(ExtraDisk::Existing(value_of(name)?.into())),
            "blank-disk" => self
                .extra_disks
                .push(ExtraDisk::Blank(parse_megabytes(name, &value_of(name)?)?)),
            "k" | "kill-on-failure" => self.kill_on_failure = true,
            "v" | "no-vga" => self.no_vga = true,
            "gdb" => {
                self.gdb = Some(match value {
                    Some(port) => parse_number(name, &port)?,
                    None => DEFAULT_GDB_PORT,
                })
            }
            "kvm" => self.kvm = true,
            "throttle-iops" => {
                let iops = parse_number(name, &value_of(name)?)?;
                ensure!(
                    iops > 0,
                    "--throttle-iops needs at least 1 request per second"
                );
                self.throttle_iops = Some(iops);
            }
            "icount" => {
                let shift = value_of(name)?;
                ensure!(
                    shift == "auto" || shift.parse::<u8>().is_ok_and(|shift| shift <= 10),
                    "--icount takes `auto` or a shift from 0 to 10, not '{shift}'"
                );
                self.icount = Some(shift);
            }
            "inject" => self.injections.push(value_of(name)?.parse()?),
            "stopped-disk" => self.stopped_disk = true,
            "qemu" => {}
            "h" | "help" => self.help = true,
            "bochs" => bail!("--bochs: Rintos runs under QEMU only"),
            _ => bail!(
                "unknown option {}{name} (try --help; kernel arguments go after a second `--`)",
                if name.len() == 1 { "-" } else { "--" }
            ),
        }
        Ok(())
    }
}

/// Splits one command-line word into (option name, value) pairs, taking the value from the
/// next word when the option needs one and it is not attached (`-T 60`, `-T60`,
/// `--timeout=60`, `--timeout 60`). Short flags may be bundled (`-vk`).
fn split_option(
    arg: &str,
    rest: &mut std::slice::Iter<'_, String>,
) -> anyhow::Result<Vec<(String, Option<String>)>> {
    let mut next_value = |name: &str| {
        rest.next()
            .cloned()
            .ok_or_else(|| anyhow!("option {name} needs a value"))
    };
    if let Some(long) = arg.strip_prefix("--") {
        let (name, attached) = match long.split_once('=') {
            Some((name, value)) => (name, Some(value.to_string())),
            None => (long, None),
        };
        let takes_value = VALUED.iter().any(|&(_, valued)| valued == name);
        let value = match (takes_value, attached) {
            (true, Some(value)) => Some(value),
            (true, None) => Some(next_value(arg)?),
            // `--gdb` alone uses the default port: its value may only be attached.
            (false, Some(value)) if name == "gdb" => Some(value),
            (false, Some(_)) => bail!("option --{name} takes no value"),
            (false, None) => None,
        };
        return Ok(vec![(name.to_string(), value)]);
    }
    let Some(cluster) = arg.strip_prefix('-').filter(|cluster| !cluster.is_empty()) else {
        bail!("unexpected argument '{arg}': kernel arguments go after `--`");
    };
    let mut options = Vec::new();
    for (index, letter) in cluster.char_indices() {
        let name = letter.to_string();
        if VALUED.iter().any(|&(short, _)| short == name) {
            let attached = &cluster[index + letter.len_utf8()..];
            let value = if attached.is_empty() {
                next_value(&format!("-{name}"))?
            } else {
                attached.to_string()
            };
            options.push((name, Some(value)));
            break;
        }
        options.push((name, None));
    }
    Ok(options)
}

fn parse_number<T: std::str::FromStr>(option: &str, value: &str) -> anyhow::Result<T> {
    value
        .parse()
        .ok()
        .with_context(|| format!("option {option}: '{value}' is not a whole number"))
}

/// Sectors as the megabytes `--filesys-size` and its kin take back.
fn megabytes(sectors: u32) -> String {
    (f64::from(sectors) / f64::from(SECTORS_PER_MB)).to_string()
}

fn parse_megabytes(option: &str, value: &str) -> anyhow::Result<u32> {
    let megabytes: f64 = value
        .parse()
        .ok()
        .with_context(|| format!("option --{option}: '{value}' is not a number of megabytes"))?;
    mb_to_sectors(megabytes).with_context(|| format!("option --{option}"))
}

/// The kernel command line the classic script would build: the leading `-` options, then
/// `extract` when files are put, then the other arguments, then `append FILE` per file got.
pub fn kernel_command_line(options: &Options) -> Vec<String> {
    let leading = options
        .kernel_args
        .iter()
        .take_while(|arg| arg.starts_with('-'))
        .count();
    let (flags, actions) = options.kernel_args.split_at(leading);
    let mut line = flags.to_vec();
    if !options.puts.is_empty() {
        line.push("extract".into());
    }
    line.extend_from_slice(actions);
    for get in &options.gets {
        line.push("append".into());
        line.push(get.file.clone());
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &str) -> anyhow::Result<Options> {
        Options::parse(
            &args
                .split_whitespace()
                .map(String::from)
                .collect::<Vec<_>>(),
        )
    }

    fn transfer(file: &str, rename: Option<&str>) -> Transfer {
        Transfer {
            file: file.into(),
            rename: rename.map(String::from),
        }
    }

    #[test]
    fn the_classic_test_command_parses() {
        let options = parse(
            "-v -k -T 60 --qemu --filesys-size=2 -p tests/args -a args-none -p data/sample.txt --swap-size=4 -- -q -f run args-none",
        )
        .unwrap();
        assert!(options.no_vga && options.kill_on_failure);
        assert_eq!(options.timeout_secs, Some(60));
        assert_eq!(options.filesys, Some(PartitionSource::Size(4096)));
        assert_eq!(options.swap, Some(PartitionSource::Size(8192)));
        assert_eq!(
            options.puts,
            vec![
                transfer("tests/args", Some("args-none")),
                transfer("data/sample.txt", None)
            ]
        );
        assert_eq!(options.puts[1].destination(), "data/sample.txt");
        assert_eq!(options.kernel_args, ["-q", "-f", "run", "args-none"]);
        assert_eq!(options.memory_mb, 4);
        assert_eq!(
            kernel_command_line(&options),
            ["-q", "-f", "extract", "run", "args-none"]
        );
    }

    #[test]
    fn value_spellings() {
        for spelling in [
            "-T 7",
            "-T7",
            "--timeout=7",
            "--timeout 7",
            "-vkT7",
            "-vkT 7",
        ] {
            assert_eq!(parse(spelling).unwrap().timeout_secs, Some(7), "{spelling}");
        }
        assert!(parse("-vkT7").unwrap().kill_on_failure);
        assert_eq!(parse("-m 16").unwrap().memory_mb, 16);
        assert_eq!(parse("--mem=8").unwrap().memory_mb, 8);
        assert_eq!(
            parse("--scratch-size=0.5").unwrap().scratch_sectors,
            Some(1024)
        );
        assert_eq!(
            parse("--disk=a.dsk --blank-disk=1 --disk b.dsk")
                .unwrap()
                .extra_disks,
            [
                ExtraDisk::Existing("a.dsk".into()),
                ExtraDisk::Blank(2048),
                ExtraDisk::Existing("b.dsk".into())
            ]
        );
        assert_eq!(
            parse("--filesys=fs.img").unwrap().filesys,
            Some(PartitionSource::File("fs.img".into()))
        );
        assert_eq!(
            parse("--kernel=k --make-disk=d").unwrap().kernel,
            Some("k".into())
        );
        assert!(parse("--lock-checks").unwrap().lock_checks);
        assert_eq!(
            parse("--throttle-iops=800").unwrap().throttle_iops,
            Some(800)
        );
        assert!(parse("--throttle-iops=0").is_err());
        assert_eq!(
            parse("--icount=auto").unwrap().icount.as_deref(),
            Some("auto")
        );
        assert_eq!(parse("--icount 3").unwrap().icount.as_deref(), Some("3"));
        assert!(parse("--icount=fast").is_err());
    }

    #[test]
    fn gets_are_appended_after_the_actions() {
        let options = parse("-g out -a host-out -p in -g log -- -q run prog").unwrap();
        assert_eq!(
            options.gets,
            [transfer("out", Some("host-out")), transfer("log", None)]
        );
        assert_eq!(options.gets[0].destination(), "host-out");
        assert_eq!(
            kernel_command_line(&options),
            [
                "-q", "extract", "run", "prog", "append", "out", "append", "log"
            ]
        );
    }

    #[test]
    fn kernel_arguments_pass_through_unchanged() {
        let args: Vec<String> = [
            "-v",
            "--",
            "-q",
            "run",
            "args-dbl-space two  spaces!",
            "-x",
            "--",
        ]
        .map(String::from)
        .into();
        let options = Options::parse(&args).unwrap();
        assert_eq!(
            options.kernel_args,
            ["-q", "run", "args-dbl-space two  spaces!", "-x", "--"]
        );
        assert_eq!(
            crate::quote::join(kernel_command_line(&options)),
            "-q run 'args-dbl-space two  spaces!' -x --"
        );
        assert!(parse("").unwrap().kernel_args.is_empty());
        let quoted: Vec<String> = ["--", "run", "echo it's"].map(String::from).into();
        assert!(format!("{:#}", Options::parse(&quoted).unwrap_err()).contains("single quote"));
    }

    #[test]
    fn smp_takes_one_to_eight_cpus() {
        assert_eq!(parse("").unwrap().cpus(), 1);
        assert_eq!(parse("--smp=2").unwrap().cpus(), 2);
        assert_eq!(parse("--smp 8").unwrap().cpus(), 8);
        assert!(error("--smp=0").contains("1 to 8 CPUs"));
        assert!(error("--smp=9").contains("1 to 8 CPUs"));
        assert!(error("--smp=two").contains("not a whole number"));
    }

    #[test]
    fn options_written_back_as_arguments_parse_to_the_same_options() {
        let mut every = Options::classic(60);
        every.smp = Some(2);
        every.memory_mb = 16;
        every.kvm = true;
        every.lock_checks = true;
        every.stopped_disk = true;
        every.filesys = Some(PartitionSource::Size(4096));
        every.swap = Some(PartitionSource::File("swap disk.img".into()));
        every.scratch_sectors = Some(1024);
        every.throttle_iops = Some(125);
        every.icount = Some("4".into());
        every.injections = vec!["swap:read-error@800".parse().unwrap(), "filesys:write-error@zeros+1024".parse().unwrap()];
        every.kernel = Some("k".into());
        every.make_disk = Some("hda.dsk".into());
        every.extra_disks = vec![ExtraDisk::Blank(2048), ExtraDisk::Existing("b.dsk".into())];
        every.put(Path::new("/host/args"), "args-none");
        every.puts.push(transfer("data/sample.txt", None));
        every.get("out", Path::new("/host/out"));
        every.kernel_args = ["-q", "-f", "run", "args-none a  b"]
            .map(String::from)
            .into();
        for options in [every, Options::default(), Options::classic(5)] {
            assert_eq!(Options::parse(&options.to_args()).unwrap(), options);
        }
        let mut gdb = Options { help: true, ..Options::default() };
        for port in [DEFAULT_GDB_PORT, 5000] {
            gdb.gdb = Some(port);
            assert_eq!(Options::parse(&gdb.to_args()).unwrap(), gdb);
        }
    }

    #[test]
    fn gdb_disables_the_timeout_with_a_warning() {
        let options = parse("--gdb -T 10").unwrap();
        assert_eq!(options.gdb, Some(DEFAULT_GDB_PORT));
        assert_eq!(options.timeout_secs, None);
        assert_eq!(options.warnings, ["warning: disabling timeout with --gdb"]);
        assert_eq!(parse("--gdb=4321").unwrap().gdb, Some(4321));
        assert_eq!(
            parse("-j 3").unwrap().warnings,
            ["warning: qemu doesn't support jitter"]
        );
    }

    fn error(args: &str) -> String {
        format!("{:#}", parse(args).unwrap_err())
    }

    #[test]
    fn mistakes_are_clear_errors() {
        assert!(error("--frobnicate").contains("unknown option --frobnicate"));
        assert!(error("-x").contains("unknown option -x"));
        assert!(error("-vx").contains("unknown option -x"));
        assert!(error("-a name").contains("only allowed after -p or -g"));
        assert!(error("-p f -a a -a b").contains("only one -a"));
        assert!(error("-T").contains("needs a value"));
        assert!(error("--timeout").contains("needs a value"));
        assert!(error("-T soon").contains("not a whole number"));
        assert!(error("-m 0").contains("at least 1 MB"));
        assert!(error("--filesys-size=big").contains("not a number of megabytes"));
        assert!(
            error("--filesys-size=0").contains("positive"),
            "{}",
            error("--filesys-size=0")
        );
        assert!(error("--kvm=yes").contains("takes no value"));
        assert!(error("--gdb=any").contains("not a whole number"));
        assert!(error("run").contains("kernel arguments go after `--`"));
        assert!(error("--bochs").contains("QEMU only"));
    }
}
