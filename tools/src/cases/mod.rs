//! The one way to run a case and judge it, for every front end: the suite
//! (`tests/suite.rs`), `cargo run -- stress`, and the benchmark's outcome runs. A case is a
//! catalogue test ([`TestCase`], judged by the suite's checker) or one of the runner's own
//! cases ([`RunnerCase`], which sets up host files and judges with the host's view too).
//! Each runs in a fresh QEMU, its output is saved as `<output dir>/<id>.output`, and
//! [`run_cases`] runs many at once on the weighted worker pool of [`pool`]
//! (docs/testing.md, "How a case is run").

pub mod pool;
pub mod runner_cases;
pub mod suite_args;

use std::path::{Path, PathBuf};

use anyhow::Context;

pub use runner_cases::RunnerCase;

use crate::runner::{self, GuestArtifacts, Options, RunOutcome};
use crate::suite::{self, TestCase, Verdict};

pub enum Case {
    Catalogue(TestCase),
    Runner(RunnerCase),
}

impl Case {
    pub fn id(&self) -> String {
        match self {
            Case::Catalogue(case) => case.id(),
            Case::Runner(case) => format!("runner/{}", case.name),
        }
    }
}

/// How one case went.
#[derive(Debug)]
pub struct Judged {
    pub passed: bool,
    /// Why it failed, one message per broken rule (empty when it passed).
    pub reasons: Vec<String>,
    /// The checker's diff from the closest expected output, when there was one.
    pub diff: Option<String>,
    /// Everything the run printed, then QEMU's stderr if it wrote any.
    pub output: String,
    pub output_file: PathBuf,
    /// The command that runs the case again by hand, for a catalogue case:
    /// `cargo run -- OPTIONS`.
    pub replay: Option<String>,
}

/// What [`run_cases`] tells as it goes, from the threads that run the cases.
pub enum Progress<'a> {
    Started(&'a Case),
    Finished(&'a Case, &'a Judged),
}

/// A case set up to run: its options and, for a runner case, its scratch directory.
struct Prepared {
    options: Options,
    scratch: Option<tempfile::TempDir>,
}

fn prepare(case: &Case, artifacts: &GuestArtifacts, repo_root: &Path) -> anyhow::Result<Prepared> {
    match case {
        Case::Catalogue(case) => Ok(Prepared {
            options: case.runner_options(&|program| artifacts.resolve(program), repo_root),
            scratch: None,
        }),
        Case::Runner(case) => {
            let scratch = tempfile::Builder::new()
                .prefix("rintos-case-")
                .tempdir()
                .context("creating the case's scratch directory")?;
            Ok(Prepared {
                options: (case.prepare)(scratch.path())?,
                scratch: Some(scratch),
            })
        }
    }
}

/// Runs the prepared case, judges it and saves its output.
fn finish(case: &Case, prepared: anyhow::Result<Prepared>, output_dir: &Path) -> Judged {
    let replay = match (case, &prepared) {
        (Case::Catalogue(_), Ok(prepared)) => Some(format!(
            "cargo run -- {}",
            crate::quote::join(prepared.options.to_args())
        )),
        _ => None,
    };
    let judged = prepared
        .context("the case could not be set up")
        .and_then(|prepared| {
            let outcome = runner::run(&prepared.options).context("the runner failed")?;
            let verdict = match case {
                Case::Catalogue(case) => suite::check(case, &outcome.output, outcome.clean_exit),
                Case::Runner(case) => {
                    let scratch = prepared.scratch.as_ref().expect("a runner case has one");
                    let reasons = (case.judge)(scratch.path(), &outcome);
                    Verdict {
                        passed: reasons.is_empty(),
                        reasons,
                        diff: None,
                    }
                }
            };
            Ok((verdict, outcome))
        });
    let (verdict, output) = match judged {
        Ok((verdict, outcome)) => (verdict, output_with_stderr(outcome)),
        Err(error) => (
            Verdict {
                passed: false,
                reasons: vec![format!("{error:#}")],
                diff: None,
            },
            String::new(),
        ),
    };
    let output_file = output_dir.join(format!("{}.output", case.id()));
    if let Err(error) = save_output(&output_file, &output) {
        eprintln!("{error:#}");
    }
    Judged {
        passed: verdict.passed,
        reasons: verdict.reasons,
        diff: verdict.diff,
        output,
        output_file,
        replay,
    }
}

/// Writes a run's output to `file`, making its folder if need be.
pub fn save_output(file: &Path, output: &str) -> anyhow::Result<()> {
    file.parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(file, output))
        .with_context(|| format!("saving {}", file.display()))
}

fn output_with_stderr(outcome: RunOutcome) -> String {
    let mut output = outcome.output;
    if !outcome.stderr.is_empty() {
        output.push_str(&format!("\n[qemu stderr]\n{}", outcome.stderr));
    }
    output
}

/// Runs one case in QEMU, judges it, and saves its output under `output_dir`.
pub fn run_case(
    case: &Case,
    artifacts: &GuestArtifacts,
    repo_root: &Path,
    output_dir: &Path,
) -> Judged {
    finish(case, prepare(case, artifacts, repo_root), output_dir)
}

/// Runs the cases as [`run_case`] does, on a pool of `slots` host CPUs where a case takes
/// one slot per virtual CPU; results in the order of `cases`.
pub fn run_cases(
    cases: &[Case],
    artifacts: &GuestArtifacts,
    repo_root: &Path,
    output_dir: &Path,
    slots: usize,
    progress: &(dyn Fn(Progress) + Sync),
) -> Vec<Judged> {
    pool::run(
        cases,
        slots,
        |case| {
            let prepared = prepare(case, artifacts, repo_root);
            let cpus = prepared
                .as_ref()
                .map_or(1, |prepared| prepared.options.cpus());
            (cpus as usize, prepared)
        },
        |case, prepared| {
            progress(Progress::Started(case));
            let judged = finish(case, prepared, output_dir);
            progress(Progress::Finished(case, &judged));
            judged
        },
    )
}
