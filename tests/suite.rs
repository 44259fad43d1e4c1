//! `cargo test`'s QEMU suite: every case of the catalogue (`tests/catalogue/*.toml`) and the
//! runner's own cases, each in a fresh virtual machine, several at once.
//!
//! `cargo test -- userprog/` runs only the cases whose id contains `userprog/`. Each output is
//! saved as `target/suite/<dir>/<name>.output`. `RINTOS_JOBS=N` sets how many machines run at
//! once (default: the number of cores).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use rintos::runner::cases::{self, RunnerCase};
use rintos::runner::{self, GuestArtifacts};
use rintos::suite::{self, Catalogue, TestCase};

enum Case<'a> {
    Catalogue(&'a TestCase),
    Runner(&'a RunnerCase),
}

impl Case<'_> {
    fn id(&self) -> String {
        match self {
            Case::Catalogue(case) => case.id(),
            Case::Runner(case) => format!("runner/{}", case.name),
        }
    }
}

/// How one case went.
struct Outcome {
    passed: bool,
    reasons: Vec<String>,
    diff: Option<String>,
    output_file: PathBuf,
}

fn main() -> ExitCode {
    let filters = filters();
    let root = runner::repo_root();
    let prepared = runner::guest_artifacts(&root)
        .and_then(|artifacts| Ok((artifacts, Catalogue::load(&root)?)));
    let (artifacts, catalogue) = match prepared {
        Ok(prepared) => prepared,
        Err(error) => {
            eprintln!("suite: {error:#}");
            return ExitCode::FAILURE;
        }
    };
    let runner_cases = cases::all();
    let selected: Vec<Case> = catalogue
        .cases
        .iter()
        .map(Case::Catalogue)
        .chain(runner_cases.iter().map(Case::Runner))
        .filter(|case| {
            filters.is_empty()
                || filters
                    .iter()
                    .any(|filter| case.id().contains(filter.as_str()))
        })
        .collect();
    let outcomes = run_all(&selected, &artifacts, &root);

    for (case, outcome) in selected.iter().zip(&outcomes) {
        if !outcome.passed {
            println!("\nFAIL {}", case.id());
            for reason in &outcome.reasons {
                println!("  {reason}");
            }
            if let Some(diff) = &outcome.diff {
                println!("{diff}");
            }
            println!("  output: {}", outcome.output_file.display());
        }
    }
    let catalogue_results: Vec<(&TestCase, bool)> = selected
        .iter()
        .zip(&outcomes)
        .filter_map(|(case, outcome)| match case {
            Case::Catalogue(case) => Some((*case, outcome.passed)),
            Case::Runner(_) => None,
        })
        .collect();
    println!();
    if !catalogue_results.is_empty() {
        println!("{}", suite::report(&catalogue_results));
    }
    let runner_total = selected.len() - catalogue_results.len();
    let runner_passed = selected
        .iter()
        .zip(&outcomes)
        .filter(|(case, outcome)| matches!(case, Case::Runner(_)) && outcome.passed)
        .count();
    if runner_total > 0 {
        println!(
            "runner cases: {runner_passed} passed, {} failed",
            runner_total - runner_passed
        );
    }
    let passed = outcomes.iter().filter(|outcome| outcome.passed).count();
    println!("total: {passed} passed, {} failed", outcomes.len() - passed);
    if passed == outcomes.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Case-id filters from the command line. Cargo passes libtest's flags (`--nocapture`,
/// `--quiet`, `--test-threads=N`, ...) to every test binary; they mean nothing here.
fn filters() -> Vec<String> {
    const FLAGS_WITH_VALUES: &[&str] = &[
        "--test-threads",
        "--skip",
        "--format",
        "--color",
        "--logfile",
        "-Z",
    ];
    let mut filters = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if FLAGS_WITH_VALUES.contains(&arg.as_str()) {
            args.next();
        } else if !arg.starts_with('-') {
            filters.push(arg);
        }
    }
    filters
}

fn jobs() -> usize {
    std::env::var("RINTOS_JOBS")
        .ok()
        .and_then(|jobs| jobs.parse().ok())
        .filter(|&jobs| jobs > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |cores| cores.get()))
}

/// Runs the cases on a few threads, each starting the next case not yet taken.
fn run_all(cases: &[Case], artifacts: &GuestArtifacts, root: &Path) -> Vec<Outcome> {
    let progress = ProgressBar::new(cases.len() as u64);
    progress.set_style(
        ProgressStyle::with_template("[{elapsed_precise}] {bar:30} {pos}/{len} {wide_msg}")
            .expect("a valid template"),
    );
    let next = AtomicUsize::new(0);
    let running = Mutex::new(Vec::<String>::new());
    let outcomes: Vec<Mutex<Option<Outcome>>> = cases.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..jobs().min(cases.len()) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some(case) = cases.get(index) else { break };
                    let id = case.id();
                    running.lock().unwrap().push(id.clone());
                    progress.set_message(running.lock().unwrap().join(" "));
                    let outcome = run_one(case, artifacts, root);
                    running.lock().unwrap().retain(|other| *other != id);
                    let line = format!("{} {id}", if outcome.passed { "pass" } else { "FAIL" });
                    if progress.is_hidden() {
                        println!("{line}");
                    } else {
                        progress.println(line);
                    }
                    progress.inc(1);
                    *outcomes[index].lock().unwrap() = Some(outcome);
                }
            });
        }
    });
    progress.finish_and_clear();
    outcomes
        .into_iter()
        .map(|slot| slot.into_inner().unwrap().expect("every case ran"))
        .collect()
}

fn run_one(case: &Case, artifacts: &GuestArtifacts, root: &Path) -> Outcome {
    let output_file = root
        .join("target/suite")
        .join(format!("{}.output", case.id()));
    let (output, passed, reasons, diff) = match case {
        Case::Catalogue(case) => {
            let args = case.runner_command(&|program| artifacts.resolve(program), root);
            match runner::run(&args) {
                Ok(outcome) => {
                    let verdict = suite::check(case, &outcome.output, outcome.clean_exit);
                    let mut output = outcome.output;
                    if !outcome.stderr.is_empty() {
                        output.push_str(&format!("\n[qemu stderr]\n{}", outcome.stderr));
                    }
                    (output, verdict.passed, verdict.reasons, verdict.diff)
                }
                Err(error) => (
                    String::new(),
                    false,
                    vec![format!("the runner failed: {error:#}")],
                    None,
                ),
            }
        }
        Case::Runner(case) => {
            let scratch = tempfile::tempdir().expect("a temporary directory");
            match (case.run)(scratch.path()) {
                Ok(report) => (
                    report.output,
                    report.failures.is_empty(),
                    report.failures,
                    None,
                ),
                Err(error) => (
                    String::new(),
                    false,
                    vec![format!("the case could not run: {error:#}")],
                    None,
                ),
            }
        }
    };
    let saved = output_file
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&output_file, &output));
    if let Err(error) = saved {
        eprintln!("suite: saving {}: {error}", output_file.display());
    }
    Outcome {
        passed,
        reasons,
        diff,
        output_file,
    }
}
