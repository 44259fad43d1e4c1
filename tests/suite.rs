//! `cargo test`'s QEMU suite: every case of the catalogue (`tests/catalogue/*.toml`) and the
//! runner's own cases, each in a fresh virtual machine, several at once (`rintos::cases`).
//!
//! `cargo test -- userprog/` runs only the cases whose id contains `userprog/`;
//! `cargo test -- --help` lists the options. Each output is saved as
//! `target/suite/<dir>/<name>.output`.

use std::process::ExitCode;
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};
use rintos::cases::suite_args::{SUITE_USAGE, SuiteArgs};
use rintos::cases::{self, Case, Progress, pool, runner_cases};
use rintos::runner;
use rintos::suite::{self, Catalogue, TestCase};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args = match SuiteArgs::parse(&args) {
        Ok(args) => args,
        Err(error) => {
            eprintln!("suite: {error:#}\n\n{SUITE_USAGE}");
            return ExitCode::FAILURE;
        }
    };
    if args.help {
        print!("{SUITE_USAGE}");
        return ExitCode::SUCCESS;
    }
    let root = runner::repo_root();
    let catalogue = match Catalogue::load(&root) {
        Ok(catalogue) => catalogue,
        Err(error) => {
            eprintln!("suite: {error:#}");
            return ExitCode::FAILURE;
        }
    };
    let selected: Vec<Case> = catalogue
        .cases
        .into_iter()
        .map(Case::Catalogue)
        .chain(runner_cases::all().into_iter().map(Case::Runner))
        .filter(|case| args.selects(&case.id()))
        .collect();
    if args.list {
        for case in &selected {
            println!("{}", case.id());
        }
        return ExitCode::SUCCESS;
    }
    let artifacts = match runner::guest_artifacts(&root) {
        Ok(artifacts) => artifacts,
        Err(error) => {
            eprintln!("suite: {error:#}");
            return ExitCode::FAILURE;
        }
    };

    let progress = ProgressBar::new(selected.len() as u64);
    progress.set_style(
        ProgressStyle::with_template("[{elapsed_precise}] {bar:30} {pos}/{len} {wide_msg}")
            .expect("a valid template"),
    );
    let running = Mutex::new(Vec::<String>::new());
    let show = |progress_event: Progress| match progress_event {
        Progress::Started(case) => {
            let mut running = running.lock().unwrap();
            running.push(case.id());
            progress.set_message(running.join(" "));
        }
        Progress::Finished(case, judged) => {
            let id = case.id();
            running.lock().unwrap().retain(|other| *other != id);
            let mut lines = Vec::new();
            if !args.quiet {
                lines.push(format!(
                    "{} {id}",
                    if judged.passed { "pass" } else { "FAIL" }
                ));
            }
            if args.nocapture {
                lines.push(judged.output.trim_end().to_string());
            }
            for line in lines {
                if progress.is_hidden() {
                    println!("{line}");
                } else {
                    progress.println(line);
                }
            }
            progress.inc(1);
        }
    };
    let slots = args.slots.unwrap_or_else(pool::default_slots);
    let outcomes = cases::run_cases(
        &selected,
        &artifacts,
        &root,
        &root.join("target/suite"),
        slots,
        &show,
    );
    progress.finish_and_clear();

    for (case, judged) in selected.iter().zip(&outcomes) {
        if !judged.passed {
            println!("\nFAIL {}", case.id());
            for reason in &judged.reasons {
                println!("  {reason}");
            }
            if let Some(diff) = &judged.diff {
                println!("{diff}");
            }
            println!("  output: {}", judged.output_file.display());
            if let Some(replay) = &judged.replay {
                println!("  replay: {replay}");
            }
        }
    }
    let catalogue_results: Vec<(&TestCase, bool)> = selected
        .iter()
        .zip(&outcomes)
        .filter_map(|(case, judged)| match case {
            Case::Catalogue(case) => Some((case, judged.passed)),
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
        .filter(|(case, judged)| matches!(case, Case::Runner(_)) && judged.passed)
        .count();
    if runner_total > 0 {
        println!(
            "runner cases: {runner_passed} passed, {} failed",
            runner_total - runner_passed
        );
    }
    let passed = outcomes.iter().filter(|judged| judged.passed).count();
    println!("total: {passed} passed, {} failed", outcomes.len() - passed);
    if passed == outcomes.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
