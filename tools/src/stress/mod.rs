//! `cargo run -- stress ...`: the reliability runs too long for `cargo test`.
//!
//! - `stress fuzz`: the system-call fuzzer (`user/stress`) on consecutive seeds, one boot per
//!   seed, until the requested number of calls; reports calls per second and every failing
//!   seed with the command that replays it.
//! - `stress repeat`: catalogue cases (the `vm/` set by default) run again and again with a
//!   different user-pool size, time slice and timer jitter each round; reports every case
//!   that failed in some round, with the options and command that reproduce it.
//! - `stress mutants`: writes corrupt executables of a seed to files, to look at or replay.
//!
//! `cargo test` runs the short versions: the `stress/` cases of the catalogue.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::runner::{self, GuestArtifacts};
use crate::suite::{self, Catalogue, Checker, Filters, Language, Program, TestCase};

#[derive(Parser)]
#[command(
    name = "cargo run -- stress",
    about = "Reliability runs: fuzz soak, repeat-stress, corrupt executables"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fuzz soak: boots with seeds FIRST_SEED, FIRST_SEED+1, ... until CALLS calls were made.
    Fuzz {
        /// Calls in all.
        #[arg(long, default_value_t = 1_000_000)]
        calls: u64,
        /// Calls per boot (one seed).
        #[arg(long, default_value_t = 25_000)]
        per_boot: u32,
        /// Processes making calls at once in each boot.
        #[arg(long, default_value_t = 4)]
        lanes: u32,
        #[arg(long, default_value_t = 1)]
        first_seed: u64,
        /// Boots at once (default: the number of cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// Boot the kernel that checks the lock order.
        #[arg(long)]
        lock_checks: bool,
        /// Extra kernel options for every boot, e.g. `-ul=64 -jitter=5`.
        #[arg(long, allow_hyphen_values = true, num_args = 1..)]
        kernel: Vec<String>,
    },
    /// Repeat-stress: runs the cases whose id contains a filter RUNS times, each round with
    /// its own -ul, -slice and -jitter drawn from SEED.
    Repeat {
        #[arg(long, default_value_t = 10)]
        runs: u32,
        /// Case-id filters (default: `vm/`).
        #[arg(long = "filter", default_values_t = vec!["vm/".to_string()])]
        filters: Vec<String>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        jobs: Option<usize>,
        #[arg(long)]
        lock_checks: bool,
    },
    /// Writes mutants FIRST..FIRST+COUNT of SEED to OUT (as `exec-mutants` makes them).
    Mutants {
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value_t = 0)]
        first: u32,
        #[arg(long, default_value_t = 1000)]
        count: u32,
        #[arg(long)]
        out: PathBuf,
    },
}

/// `cargo run -- stress ARGS...`.
pub fn main(args: &[String]) -> std::process::ExitCode {
    let cli = match Cli::try_parse_from(
        std::iter::once("stress".to_string()).chain(args.iter().cloned()),
    ) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    let root = runner::repo_root();
    let result = match cli.command {
        Command::Fuzz {
            calls,
            per_boot,
            lanes,
            first_seed,
            jobs,
            lock_checks,
            kernel,
        } => {
            let plan = FuzzPlan {
                calls,
                per_boot,
                lanes,
                first_seed,
                lock_checks,
                kernel_options: kernel,
            };
            fuzz(&root, &plan, jobs.unwrap_or_else(default_jobs))
        }
        Command::Repeat {
            runs,
            filters,
            seed,
            jobs,
            lock_checks,
        } => repeat(
            &root,
            runs,
            &filters,
            seed,
            lock_checks,
            jobs.unwrap_or_else(default_jobs),
        ),
        Command::Mutants {
            seed,
            first,
            count,
            out,
        } => write_mutants(&root, seed, first, count, &out),
    };
    match result {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::FAILURE,
        Err(error) => {
            eprintln!("stress: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |cores| cores.get())
}

/// Runs `work(index)` for every index below `count` on `jobs` threads; results in order.
fn in_parallel<T: Send>(count: usize, jobs: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<T>>> = (0..count).map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, count.max(1)) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    if index >= count {
                        break;
                    }
                    let result = work(index);
                    *results[index].lock().expect("no panic while holding it") = Some(result);
                }
            });
        }
    });
    results
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .expect("not poisoned")
                .expect("every index ran")
        })
        .collect()
}

struct FuzzPlan {
    calls: u64,
    per_boot: u32,
    lanes: u32,
    first_seed: u64,
    lock_checks: bool,
    kernel_options: Vec<String>,
}

/// The fuzzer's boot of `seed` as a catalogue case (so the suite's checker judges it): the
/// driver's three lines, any exit lines, and the leak check.
pub fn fuzz_case(
    seed: u64,
    calls: u32,
    lanes: u32,
    kernel_options: &[String],
    lock_checks: bool,
) -> TestCase {
    let name = "sc-fuzz".to_string();
    let program = Program {
        language: Language::Rust,
        binary: name.clone(),
    };
    let command = format!("{name} {seed} {calls} {lanes}");
    let mut kernel_args = vec!["-q".to_string()];
    kernel_args.extend(kernel_options.iter().cloned());
    kernel_args.extend(["-f".into(), "run".into(), command]);
    let expected = [
        format!("({name}) begin"),
        format!("({name}) seed {seed}: {calls} calls by {lanes} lanes"),
        format!("({name}) end"),
    ];
    TestCase {
        dir: "stress".into(),
        name,
        program: Some(program),
        putfiles: Vec::new(),
        run_args: None,
        kernel_args: Some(kernel_args),
        runner_args: if lock_checks {
            vec!["--lock-checks".into()]
        } else {
            Vec::new()
        },
        timeout_secs: 300,
        checker: Checker::Expected {
            alternatives: vec![expected.to_vec()],
            filters: Filters {
                ignore_exit_codes: true,
                ignore_user_faults: false,
            },
        },
        rubric: None,
    }
}

/// The runner command of `case`, as a line to paste after `cargo run --`.
fn replay_line(command: &[String]) -> String {
    command
        .iter()
        .map(|arg| {
            if arg.contains(' ') {
                format!("'{arg}'")
            } else {
                arg.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn fuzz(root: &Path, plan: &FuzzPlan, jobs: usize) -> anyhow::Result<bool> {
    let artifacts = runner::guest_artifacts(root)?;
    let boots = plan.calls.div_ceil(u64::from(plan.per_boot)) as usize;
    println!(
        "fuzz soak: {} calls, {boots} boots of {} calls by {} lanes, seeds {}.., {jobs} at once",
        plan.calls, plan.per_boot, plan.lanes, plan.first_seed
    );
    let started = Instant::now();
    let outcomes = in_parallel(boots, jobs, |boot| {
        let seed = plan.first_seed + boot as u64;
        let case = fuzz_case(
            seed,
            plan.per_boot,
            plan.lanes,
            &plan.kernel_options,
            plan.lock_checks,
        );
        let outcome = judge(&case, &artifacts, root);
        println!(
            "{} seed {seed}: {} lives, {} killed",
            if outcome.passed { "pass" } else { "FAIL" },
            outcome.lives,
            outcome.kills
        );
        (seed, outcome)
    });
    let seconds = started.elapsed().as_secs_f64();
    let failed: Vec<&(u64, Judged)> = outcomes
        .iter()
        .filter(|(_, outcome)| !outcome.passed)
        .collect();
    for (seed, outcome) in &failed {
        println!("\nFAIL seed {seed}:");
        for reason in &outcome.reasons {
            println!("  {reason}");
        }
        println!("  output: {}", outcome.output_file.display());
        println!("  replay: cargo run -- {}", outcome.replay);
    }
    let lives: u64 = outcomes.iter().map(|(_, outcome)| outcome.lives).sum();
    let kills: u64 = outcomes.iter().map(|(_, outcome)| outcome.kills).sum();
    let calls = boots as u64 * u64::from(plan.per_boot);
    println!(
        "\nfuzz soak: {calls} calls in {seconds:.0} s ({:.0} calls/s with {jobs} machines at once), {lives} processes, {kills} killed by the kernel",
        calls as f64 / seconds
    );
    println!("{} passed, {} failed", boots - failed.len(), failed.len());
    Ok(failed.is_empty())
}

/// One run judged by the suite's checker, with the fuzzer's counts.
struct Judged {
    passed: bool,
    reasons: Vec<String>,
    output_file: PathBuf,
    replay: String,
    lives: u64,
    kills: u64,
}

fn judge(case: &TestCase, artifacts: &GuestArtifacts, root: &Path) -> Judged {
    let command = case.runner_command(&|program| artifacts.resolve(program), root);
    // Every run gets its own output file, named after its case and arguments.
    let tag: String = command
        .iter()
        .skip_while(|arg| *arg != "--")
        .skip(1)
        .filter(|arg| arg.starts_with('-') && arg.contains('='))
        .cloned()
        .collect::<Vec<_>>()
        .join("");
    let run_word = command
        .last()
        .cloned()
        .unwrap_or_default()
        .replace(' ', "_");
    let output_file = root
        .join("target/stress")
        .join(case.id())
        .join(format!("{run_word}{tag}.output"));
    let replay = replay_line(&command);
    let (passed, reasons, output) = match runner::run(&command) {
        Ok(outcome) => {
            let verdict = suite::check(case, &outcome.output, outcome.clean_exit);
            (verdict.passed, verdict.reasons, outcome.output)
        }
        Err(error) => (
            false,
            vec![format!("the runner failed: {error:#}")],
            String::new(),
        ),
    };
    let exits = |pattern: &str| {
        output
            .lines()
            .filter(|line| line.starts_with("sc-fuzz: exit(") && line.contains(pattern))
            .count() as u64
    };
    let judged = Judged {
        passed,
        reasons,
        output_file,
        replay,
        lives: exits(""),
        kills: exits("exit(-1)"),
    };
    if let Some(dir) = judged.output_file.parent() {
        let _ = std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&judged.output_file, &output));
    }
    judged
}

/// The options one round of repeat-stress runs with.
#[derive(Clone, Debug)]
struct Variation {
    user_pages: Option<u32>,
    slice: u32,
    jitter: u32,
}

impl Variation {
    fn draw(seed: u64, round: u32) -> Variation {
        let mut rng =
            fastrand::Rng::with_seed(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(round));
        Variation {
            user_pages: [None, Some(512), Some(256), Some(128)][rng.usize(..4)],
            slice: rng.u32(1..=8),
            jitter: rng.u32(1..),
        }
    }

    fn kernel_options(&self) -> Vec<String> {
        let mut options: Vec<String> = self
            .user_pages
            .map(|pages| format!("-ul={pages}"))
            .into_iter()
            .collect();
        options.push(format!("-slice={}", self.slice));
        options.push(format!("-jitter={}", self.jitter));
        options
    }
}

/// `case` with `options` before its own kernel options (a case's own `-ul` still wins: the
/// kernel takes the last of a repeated option).
fn varied(case: &TestCase, options: &[String]) -> TestCase {
    let own = case
        .kernel_args
        .clone()
        .unwrap_or_else(|| vec!["-q".into(), "-f".into(), "run".into(), case.command_line()]);
    let mut case = case.clone();
    case.kernel_args = Some(options.iter().cloned().chain(own).collect());
    case
}

fn repeat(
    root: &Path,
    runs: u32,
    filters: &[String],
    seed: u64,
    lock_checks: bool,
    jobs: usize,
) -> anyhow::Result<bool> {
    let artifacts = runner::guest_artifacts(root)?;
    let catalogue = Catalogue::load(root)?;
    let chosen: Vec<&TestCase> = catalogue
        .cases
        .iter()
        .filter(|case| {
            filters
                .iter()
                .any(|filter| case.id().contains(filter.as_str()))
        })
        .collect();
    anyhow::ensure!(!chosen.is_empty(), "no case matches {filters:?}");
    println!(
        "repeat-stress: {} cases x {runs} rounds, seed {seed}, {jobs} at once",
        chosen.len()
    );
    let started = Instant::now();
    let mut failures = Vec::new();
    for round in 0..runs {
        let variation = Variation::draw(seed, round);
        let options = variation.kernel_options();
        let cases: Vec<TestCase> = chosen
            .iter()
            .map(|case| {
                let mut case = varied(case, &options);
                if lock_checks {
                    case.runner_args.push("--lock-checks".into());
                }
                case
            })
            .collect();
        let outcomes = in_parallel(cases.len(), jobs, |index| {
            judge(&cases[index], &artifacts, root)
        });
        let failed: Vec<(&TestCase, &Judged)> = cases
            .iter()
            .zip(&outcomes)
            .filter(|(_, outcome)| !outcome.passed)
            .collect();
        println!(
            "round {round} ({}): {} passed, {} failed [{:.0} s]",
            options.join(" "),
            cases.len() - failed.len(),
            failed.len(),
            started.elapsed().as_secs_f64()
        );
        for (case, outcome) in failed {
            println!(
                "  FLAKY {}: {}",
                case.id(),
                outcome.reasons.first().map_or("", String::as_str)
            );
            failures.push((
                case.id(),
                round,
                options.join(" "),
                outcome.replay.clone(),
                outcome.output_file.clone(),
            ));
        }
    }
    println!(
        "\nrepeat-stress: {runs} rounds of {} cases in {:.0} s",
        chosen.len(),
        started.elapsed().as_secs_f64()
    );
    for (id, round, options, replay, output) in &failures {
        println!(
            "FLAKY {id} in round {round} with {options} (seed {seed})\n  output: {}\n  replay: cargo run -- {replay}",
            output.display()
        );
    }
    let total = runs as usize * chosen.len();
    println!(
        "{} passed, {} failed",
        total - failures.len(),
        failures.len()
    );
    Ok(failures.is_empty())
}

fn write_mutants(
    root: &Path,
    seed: u64,
    first: u32,
    count: u32,
    out: &Path,
) -> anyhow::Result<bool> {
    let artifacts = runner::guest_artifacts(root)?;
    let victim_path = artifacts.resolve(&Program {
        language: Language::Rust,
        binary: "mut-victim".into(),
    });
    let victim = std::fs::read(&victim_path)
        .with_context(|| format!("reading {}", victim_path.display()))?;
    std::fs::create_dir_all(out)?;
    let mut image = vec![0; rintos_elfmut::MAX_IMAGE];
    let mut index_lines = String::new();
    for index in first..first + count {
        let mutant = rintos_elfmut::mutant(seed, index, Some(&victim), &mut image);
        let name = format!("mutant-{seed}-{index}");
        std::fs::write(out.join(&name), &image[..mutant.len])?;
        index_lines.push_str(&format!("{name}: {mutant}\n"));
    }
    std::fs::write(out.join("INDEX"), index_lines)?;
    println!(
        "{count} mutants of seed {seed} in {} (INDEX says what each is)",
        out.display()
    );
    Ok(true)
}

/// The runner case `leak-check`: the kernel test `leak` leaks a user frame, a kernel page, a
/// swap slot, heap bytes and an open file on purpose, and the suite's checker must fail it
/// for exactly those five (the same check passes every other test of the suite).
pub fn leak_check(_scratch: &Path) -> anyhow::Result<runner::cases::CaseReport> {
    let case = TestCase {
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
    };
    let root = runner::repo_root();
    let command = case.runner_command(&|program| PathBuf::from(&program.binary), &root);
    let outcome = runner::run(&command)?;
    let verdict = suite::check(&case, &outcome.output, outcome.clean_exit);
    let leaked: Vec<&str> = verdict
        .reasons
        .iter()
        .filter_map(|reason| reason.strip_prefix("Resource leak: ")?.split(' ').next())
        .collect();
    let expected = [
        "free-frames",
        "free-swap-slots",
        "heap-bytes",
        "kernel-pages-in-use",
        "open-files",
    ];
    let mut failures = Vec::new();
    if verdict.passed || verdict.reasons.len() != leaked.len() {
        failures.push(format!(
            "the checker should fail the run for its leaks only, but said: {:?}",
            verdict.reasons
        ));
    }
    let mut sorted = leaked.clone();
    sorted.sort_unstable();
    if sorted != expected {
        failures.push(format!("leaks found: {leaked:?}, expected {expected:?}"));
    }
    Ok(runner::cases::CaseReport {
        output: outcome.output,
        failures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_draws_the_same_options_from_the_same_seed() {
        let options = |seed, round| Variation::draw(seed, round).kernel_options();
        assert_eq!(options(1, 3), options(1, 3));
        assert!((0..20).any(|round| options(1, round) != options(1, 0)));
        let first = options(5, 0);
        assert!(
            first.iter().any(|option| option.starts_with("-slice="))
                && first.iter().any(|option| option.starts_with("-jitter="))
        );
    }

    #[test]
    fn varied_options_come_before_the_cases_own_so_that_its_own_win() {
        let case = fuzz_case(3, 100, 2, &["-ul=64".to_string()], false);
        let varied = varied(&case, &["-ul=512".to_string(), "-slice=2".to_string()]);
        let args = varied.kernel_args.expect("kernel arguments");
        assert_eq!(args[..4], ["-ul=512", "-slice=2", "-q", "-ul=64"]);
        assert_eq!(args.last().map(String::as_str), Some("sc-fuzz 3 100 2"));
    }

    #[test]
    fn a_fuzz_boot_passes_on_its_three_lines_and_fails_on_a_leak() {
        let case = fuzz_case(9, 500, 2, &[], true);
        assert_eq!(case.runner_args, ["--lock-checks"]);
        let run = |resources_end: &str| {
            format!(
                "Pintos booting with 4,096 kB RAM...\nBoot complete.\nExecuting 'sc-fuzz 9 500 2':\n(sc-fuzz) begin\n\
                 sc-fuzz: exit(-1)\n(sc-fuzz) seed 9: 500 calls by 2 lanes\n(sc-fuzz) end\nsc-fuzz: exit(0)\n\
                 Execution of 'sc-fuzz 9 500 2' complete.\nResources at start: free-frames=9 heap-bytes=5\n\
                 Resources at end: {resources_end}\nTimer: 5 ticks\nPowering off...\n"
            )
        };
        assert!(suite::check(&case, &run("free-frames=9 heap-bytes=5"), true).passed);
        let leaked = suite::check(&case, &run("free-frames=8 heap-bytes=5"), true);
        assert_eq!(
            leaked.reasons,
            ["Resource leak: free-frames was 9 at start, 8 at end"]
        );
    }
}
