//! The command line of the QEMU suite (`cargo test -- ARGS`). Cargo gives ARGS to every test
//! target, so the suite takes the libtest flags that make sense for it, with their libtest
//! meaning, and refuses the others.

use anyhow::{Context, bail};

pub const SUITE_USAGE: &str = "\
Usage: cargo test [--test suite] -- [OPTION...] [FILTER...]
Runs the QEMU suite: every catalogue case and the runner's own cases, each in a fresh
machine, several at once; outputs are saved under target/suite/.
  FILTER               run only the cases whose id contains one of the FILTERs
  --exact              a FILTER must be a whole id
  --skip FILTER        leave out the cases whose id contains FILTER (may be repeated)
  --list               print the ids of the cases it would run, and run none
  --test-threads N     host CPUs to fill at once; a case takes one per virtual CPU
                       (default: RINTOS_JOBS, else the number of cores)
  -q, --quiet          print no line per case, only the failures and the totals
  --nocapture          print each case's output after its result line
  -h, --help           this message
";

#[derive(Debug, Default, PartialEq, Eq)]
pub struct SuiteArgs {
    pub filters: Vec<String>,
    pub exact: bool,
    pub skips: Vec<String>,
    pub list: bool,
    pub slots: Option<usize>,
    pub quiet: bool,
    pub nocapture: bool,
    pub help: bool,
}

impl SuiteArgs {
    pub fn parse(args: &[String]) -> anyhow::Result<SuiteArgs> {
        let mut parsed = SuiteArgs::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let (name, attached) = match arg.split_once('=') {
                Some((name, value)) if name.starts_with("--") => (name, Some(value.to_string())),
                _ => (arg.as_str(), None),
            };
            let mut value = || {
                attached
                    .clone()
                    .or_else(|| args.next().cloned())
                    .with_context(|| format!("{name} needs a value"))
            };
            match name {
                "--exact" => parsed.exact = true,
                "--skip" => parsed.skips.push(value()?),
                "--list" => parsed.list = true,
                "--test-threads" => {
                    let slots = value()?;
                    parsed.slots = Some(
                        slots
                            .parse()
                            .ok()
                            .filter(|&slots| slots > 0)
                            .with_context(|| {
                                format!("--test-threads takes a positive number, not '{slots}'")
                            })?,
                    );
                }
                "-q" | "--quiet" => parsed.quiet = true,
                "--nocapture" => parsed.nocapture = true,
                "-h" | "--help" => parsed.help = true,
                flag if flag.starts_with('-') => {
                    bail!(
                        "the suite takes no option {flag} (cargo test -- --help lists its options)"
                    )
                }
                filter => parsed.filters.push(filter.to_string()),
            }
            if attached.is_some() && !["--skip", "--test-threads"].contains(&name) {
                bail!("{name} takes no value");
            }
        }
        Ok(parsed)
    }

    /// Whether the case `id` is among those to run.
    pub fn selects(&self, id: &str) -> bool {
        let matches = |filter: &String| {
            if self.exact {
                id == filter
            } else {
                id.contains(filter.as_str())
            }
        };
        (self.filters.is_empty() || self.filters.iter().any(matches))
            && !self.skips.iter().any(|skip| id.contains(skip.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &str) -> anyhow::Result<SuiteArgs> {
        SuiteArgs::parse(
            &args
                .split_whitespace()
                .map(String::from)
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn every_option_of_the_usage_parses() {
        let args =
            parse("vm/ --exact --skip page --skip=mmap --list --test-threads 3 -q --nocapture -h")
                .unwrap();
        assert_eq!(
            args,
            SuiteArgs {
                filters: vec!["vm/".into()],
                exact: true,
                skips: vec!["page".into(), "mmap".into()],
                list: true,
                slots: Some(3),
                quiet: true,
                nocapture: true,
                help: true,
            }
        );
        assert_eq!(
            parse("--test-threads=2 --quiet --help").unwrap().slots,
            Some(2)
        );
        for line in SUITE_USAGE.lines().filter(|line| line.starts_with("  -")) {
            let flag = line
                .split_whitespace()
                .next()
                .unwrap()
                .trim_end_matches(',');
            let with_value = if line.contains(" N ") || line.contains(" FILTER ") {
                format!("{flag} 1")
            } else {
                flag.to_string()
            };
            assert!(
                parse(&with_value).is_ok(),
                "{flag} is in the usage but not accepted"
            );
        }
    }

    #[test]
    fn other_flags_are_refused() {
        for wrong in [
            "--ignored",
            "--format=json",
            "--test-threads",
            "--test-threads=0",
            "--list=yes",
            "-x",
        ] {
            assert!(parse(wrong).is_err(), "{wrong} was accepted");
        }
    }

    #[test]
    fn filters_select_by_part_or_whole_id_and_skips_win() {
        let args = parse("vm/ userprog/exit --skip vm/page").unwrap();
        assert!(args.selects("vm/mmap-read") && args.selects("smp2/vm/mmap-read"));
        assert!(args.selects("userprog/exit") && args.selects("userprog/exit-x"));
        assert!(!args.selects("vm/page-linear") && !args.selects("userprog/halt"));
        let exact = parse("--exact vm/mmap-read").unwrap();
        assert!(exact.selects("vm/mmap-read") && !exact.selects("smp2/vm/mmap-read"));
        assert!(parse("").unwrap().selects("anything"));
    }
}
