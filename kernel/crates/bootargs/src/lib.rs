//! The kernel command line, as Pintos defines it: options first (each starts with `-`,
//! values after `=`), then actions run left to right. The `pintos` script passes an
//! argument containing spaces in single quotes (`run 'args-single onearg'`).
#![no_std]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// How page faults that need I/O are serviced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FaultMode {
    /// As futures: only the faulting thread waits for the disk (the Rintos design).
    #[default]
    Async,
    /// One global lock held across fault I/O: the baseline the benchmark compares against.
    Serial,
}

/// How the IDE driver moves data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum AtaTransfer {
    /// Bus-master DMA where the controller and the disk can, PIO elsewhere.
    #[default]
    Dma,
    /// PIO for every disk: the fallback path, kept testable.
    Pio,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Options {
    /// `-h`: print help and power off.
    pub help: bool,
    /// `-q`: power off after the actions.
    pub power_off: bool,
    /// `-r`: reboot after the actions.
    pub reboot: bool,
    /// `-f`: format the file system.
    pub format: bool,
    /// `-filesys=`, `-scratch=`, `-swap=`: device names overriding the partition roles.
    pub filesys: Option<String>,
    pub scratch: Option<String>,
    pub swap: Option<String>,
    /// `-rs=SEED`: kernel random seed.
    pub random_seed: Option<u32>,
    /// `-mlfqs`: accepted for compatibility; Rintos has one scheduler.
    pub mlfqs: bool,
    /// `-ul=COUNT`: cap the user pool at COUNT pages.
    pub user_page_limit: Option<usize>,
    /// `-vm=async|serial`.
    pub fault_mode: FaultMode,
    /// `-share=on|off`: share read-only executable pages between processes.
    pub share_pages: bool,
    /// `-clean-ahead=on|off`: write dirty pages out ahead of need, on the executor.
    pub clean_ahead: bool,
    /// `-ra=on|off`: read pages ahead of a process that faults its way through them in order.
    pub read_ahead: bool,
    /// `-lc=on|off`: load control, one process at a time writing pages out when memory is full.
    pub load_control: bool,
    /// `-fill=executor|thread`: where a fault's fill that reads the disk runs, as a task on
    /// the kernel executor (the faulting thread parks until it completes) or on the
    /// faulting thread itself.
    pub fills_on_executor: bool,
    /// `-slice=TICKS`: the scheduler's time slice.
    pub time_slice: Option<u32>,
    /// `-jitter=SEED`: vary the timer's period and the time slice at random, from SEED, so
    /// that repeated runs preempt threads at different places.
    pub jitter: Option<u32>,
    /// `-ata=dma|pio`.
    pub ata_transfer: AtaTransfer,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// `run 'PROG ARG...'`: start a process and wait for it.
    Run(String),
    /// `ls`: list the root directory.
    Ls,
    /// `cat FILE`: print a file.
    Cat(String),
    /// `rm FILE`: delete a file.
    Rm(String),
    /// `extract`: unpack the ustar archive on the scratch device into the file system.
    Extract,
    /// `append FILE`: add a file to the archive on the scratch device (for `pintos -g`).
    Append(String),
    /// `ktest NAME`: run an in-kernel test.
    Ktest(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    UnterminatedQuote,
    UnknownOption(String),
    BadValue { option: String, value: String },
    UnknownAction(String),
    MissingArgument { action: String },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnterminatedQuote => write!(f, "unterminated quote"),
            Error::UnknownOption(option) => write!(f, "unknown option '{option}' (use -h for help)"),
            Error::BadValue { option, value } => write!(f, "bad value '{value}' for option '{option}'"),
            Error::UnknownAction(action) => write!(f, "unknown action '{action}' (use -h for help)"),
            Error::MissingArgument { action } => write!(f, "action '{action}' needs an argument"),
        }
    }
}

/// The help text printed by `-h`.
pub const HELP: &str = "\
Command line syntax: [OPTION...] [ACTION...]
Options must precede actions.
Actions are executed in the order specified.

Available actions:
  run 'PROG [ARG...]' Run PROG and wait for it to complete.
  ls                 List files in the root directory.
  cat FILE           Print FILE to the console.
  rm FILE            Delete FILE.
  extract            Untar from scratch device into file system.
  append FILE        Append FILE to tar file on scratch device.
  ktest NAME         Run the in-kernel test NAME.

Options:
  -h                 Print this help message and power off.
  -q                 Power off VM after actions or on panic.
  -r                 Reboot after actions.
  -f                 Format file system device during startup.
  -filesys=BDEV      Use BDEV for file system instead of default.
  -scratch=BDEV      Use BDEV for scratch instead of default.
  -swap=BDEV         Use BDEV for swap instead of default.
  -rs=SEED           Set random number seed to SEED.
  -mlfqs             Accepted for compatibility (one scheduler).
  -ul=COUNT          Limit user memory to COUNT pages.
  -vm=async|serial   Fault I/O as futures (default) or under one global lock.
  -share=on|off      Share read-only executable pages (default on).
  -clean-ahead=on|off  Write dirty pages to swap ahead of need (default off; never with -vm=serial).
  -ra=on|off         Read pages ahead of in-order faults (default on; off with -vm=serial).
  -lc=on|off         Load control: one process at a time writes pages out when memory is
                     full (default on; off with -vm=serial).
  -fill=executor|thread  A fault's disk read runs as an executor task (default; the
                     faulting thread parks until it is done) or on the faulting thread.
  -slice=TICKS       Time slice of the scheduler in timer ticks.
  -jitter=SEED       Vary the timer period and time slice at random (from SEED).
  -ata=dma|pio       Disk transfers by bus-master DMA where possible (default) or PIO.
";

/// Splits a command line into words: runs of spaces separate words, and a single-quoted
/// part keeps its spaces (`run 'echo  x'` is two words, the second `echo  x`).
pub fn split(line: &str) -> Result<Vec<String>, Error> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quoted = false;
    for ch in line.chars() {
        match ch {
            '\'' => {
                quoted = !quoted;
                word.get_or_insert_with(String::new);
            }
            ' ' if !quoted => {
                if let Some(done) = word.take() {
                    words.push(done);
                }
            }
            _ => word.get_or_insert_with(String::new).push(ch),
        }
    }
    if quoted {
        return Err(Error::UnterminatedQuote);
    }
    words.extend(word);
    Ok(words)
}

fn number<T: core::str::FromStr>(option: &str, value: &str) -> Result<T, Error> {
    value.parse().map_err(|_| Error::BadValue { option: String::from(option), value: String::from(value) })
}

fn on_off(option: &str, value: &str) -> Result<bool, Error> {
    match value {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(Error::BadValue { option: String::from(option), value: String::from(value) }),
    }
}

/// Parses split words into options and actions.
pub fn parse(words: &[String]) -> Result<(Options, Vec<Action>), Error> {
    let mut options = Options { share_pages: true, read_ahead: true, load_control: true, fills_on_executor: true, ..Options::default() };
    let mut rest = words.iter().peekable();
    while let Some(word) = rest.next_if(|word| word.starts_with('-')) {
        let (name, value) = match word.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (word.as_str(), None),
        };
        match (name, value) {
            ("-h", None) => options.help = true,
            ("-q", None) => options.power_off = true,
            ("-r", None) => options.reboot = true,
            ("-f", None) => options.format = true,
            ("-mlfqs", None) => options.mlfqs = true,
            ("-filesys", Some(v)) => options.filesys = Some(String::from(v)),
            ("-scratch", Some(v)) => options.scratch = Some(String::from(v)),
            ("-swap", Some(v)) => options.swap = Some(String::from(v)),
            ("-rs", Some(v)) => options.random_seed = Some(number(name, v)?),
            ("-ul", Some(v)) => options.user_page_limit = Some(number(name, v)?),
            ("-slice", Some(v)) => options.time_slice = Some(number::<u32>(name, v)?.max(1)),
            ("-jitter", Some(v)) => options.jitter = Some(number(name, v)?),
            ("-share", Some(v)) => options.share_pages = on_off(name, v)?,
            ("-clean-ahead", Some(v)) => options.clean_ahead = on_off(name, v)?,
            ("-ra", Some(v)) => options.read_ahead = on_off(name, v)?,
            ("-lc", Some(v)) => options.load_control = on_off(name, v)?,
            ("-vm", Some("async")) => options.fault_mode = FaultMode::Async,
            ("-vm", Some("serial")) => options.fault_mode = FaultMode::Serial,
            ("-vm", Some(v)) => return Err(Error::BadValue { option: String::from(name), value: String::from(v) }),
            ("-fill", Some("executor")) => options.fills_on_executor = true,
            ("-fill", Some("thread")) => options.fills_on_executor = false,
            ("-fill", Some(v)) => return Err(Error::BadValue { option: String::from(name), value: String::from(v) }),
            ("-ata", Some("dma")) => options.ata_transfer = AtaTransfer::Dma,
            ("-ata", Some("pio")) => options.ata_transfer = AtaTransfer::Pio,
            ("-ata", Some(v)) => return Err(Error::BadValue { option: String::from(name), value: String::from(v) }),
            _ => return Err(Error::UnknownOption(word.clone())),
        }
    }
    let mut actions = Vec::new();
    while let Some(word) = rest.next() {
        let mut argument = || rest.next().cloned().ok_or_else(|| Error::MissingArgument { action: word.clone() });
        actions.push(match word.as_str() {
            "run" => Action::Run(argument()?),
            "ls" => Action::Ls,
            "cat" => Action::Cat(argument()?),
            "rm" => Action::Rm(argument()?),
            "extract" => Action::Extract,
            "append" => Action::Append(argument()?),
            "ktest" => Action::Ktest(argument()?),
            _ => return Err(Error::UnknownAction(word.clone())),
        });
    }
    Ok((options, actions))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    fn words(line: &str) -> Vec<String> {
        split(line).unwrap()
    }

    #[test]
    fn splits_on_runs_of_spaces_and_keeps_quoted_spaces() {
        assert_eq!(words("  -q   -f run 'args-dbl-space two  spaces!' "), ["-q", "-f", "run", "args-dbl-space two  spaces!"]);
        assert_eq!(words("run ''"), ["run", ""]);
        assert_eq!(split("run 'oops"), Err(Error::UnterminatedQuote));
    }

    #[test]
    fn parses_the_classic_test_command_line() {
        let (options, actions) = parse(&words("-q -f extract run 'args-single onearg'")).unwrap();
        assert!(options.power_off && options.format && !options.reboot);
        assert_eq!(actions, vec![Action::Extract, Action::Run(String::from("args-single onearg"))]);
    }

    #[test]
    fn parses_values_and_rintos_options() {
        let (options, actions) =
            parse(&words("-ul=64 -rs=7 -swap=hdb -vm=serial -share=off -clean-ahead=on -ra=off -lc=off -fill=thread -slice=2 -jitter=9 -ata=pio ktest sema ls cat a rm b append c"))
                .unwrap();
        assert_eq!(options.user_page_limit, Some(64));
        assert_eq!(options.random_seed, Some(7));
        assert_eq!(options.swap.as_deref(), Some("hdb"));
        assert_eq!(options.fault_mode, FaultMode::Serial);
        assert!(!options.share_pages);
        assert!(options.clean_ahead);
        assert!(!options.read_ahead);
        assert!(!options.load_control);
        assert!(!options.fills_on_executor);
        assert_eq!(options.time_slice, Some(2));
        assert_eq!(options.jitter, Some(9));
        assert_eq!(options.ata_transfer, AtaTransfer::Pio);
        assert_eq!(
            actions,
            vec![
                Action::Ktest("sema".into()),
                Action::Ls,
                Action::Cat("a".into()),
                Action::Rm("b".into()),
                Action::Append("c".into())
            ]
        );
    }

    #[test]
    fn sharing_read_ahead_load_control_and_fills_on_the_executor_are_on_and_clean_ahead_off_by_default() {
        let options = parse(&[]).unwrap().0;
        assert!(options.share_pages && options.read_ahead && options.load_control && options.fills_on_executor);
        assert!(!options.clean_ahead);
        assert!(parse(&words("-fill=executor")).unwrap().0.fills_on_executor);
    }

    #[test]
    fn disks_use_dma_unless_told_otherwise() {
        assert_eq!(parse(&[]).unwrap().0.ata_transfer, AtaTransfer::Dma);
        assert_eq!(parse(&words("-ata=dma")).unwrap().0.ata_transfer, AtaTransfer::Dma);
    }

    #[test]
    fn rejects_what_it_does_not_know() {
        assert_eq!(parse(&words("-x")), Err(Error::UnknownOption("-x".into())));
        assert_eq!(parse(&words("-q=1")), Err(Error::UnknownOption("-q=1".into())));
        assert_eq!(parse(&words("-ul=lots")), Err(Error::BadValue { option: "-ul".into(), value: "lots".into() }));
        assert_eq!(parse(&words("-jitter")), Err(Error::UnknownOption("-jitter".into())));
        assert_eq!(parse(&words("-vm=fast")), Err(Error::BadValue { option: "-vm".into(), value: "fast".into() }));
        assert_eq!(parse(&words("-fill=cpu")), Err(Error::BadValue { option: "-fill".into(), value: "cpu".into() }));
        assert_eq!(parse(&words("-ata=udma")), Err(Error::BadValue { option: "-ata".into(), value: "udma".into() }));
        assert_eq!(parse(&words("frobnicate")), Err(Error::UnknownAction("frobnicate".into())));
        assert_eq!(parse(&words("run")), Err(Error::MissingArgument { action: "run".into() }));
    }

    #[test]
    fn options_after_an_action_are_not_options() {
        assert_eq!(parse(&words("ls -q")), Err(Error::UnknownAction("-q".into())));
    }

    #[test]
    fn error_messages_say_what_is_wrong() {
        assert_eq!(Error::UnknownOption("-x".into()).to_string(), "unknown option '-x' (use -h for help)");
    }
}
