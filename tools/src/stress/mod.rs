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
//! `cargo test` runs the short versions: the `stress/` cases of the catalogue. Both run their
//! boots as cases of `crate::cases`, judged like the suite's, and keep every output under
//! `target/stress/`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::cases::{self, Case, Judged, Progress, pool};
use crate::runner::{self, Language, Program};
use crate::suite::{Catalogue, Checker, Filters, TestCase};

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
        #[command(flatten)]
        machines: Machines,
    },
    /// Repeat-stress: runs the cases a filter selects RUNS times, each round with its own
    /// -ul, -slice and -jitter drawn from SEED.
    Repeat {
        #[arg(long, default_value_t = 10)]
        runs: u32,
        /// Case-id filters: one ending in `/` selects a directory (the ids that start with
        /// it: `vm/` is not `smp2/vm/` or `userprog/no-vm/`), any other the ids that contain
        /// it (default: `vm/`).
        #[arg(long = "filter", default_values_t = vec!["vm/".to_string()])]
        filters: Vec<String>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[command(flatten)]
        machines: Machines,
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

/// How the boots of `fuzz` and `repeat` run.
#[derive(clap::Args)]
struct Machines {
    /// Host CPUs to fill at once; a boot takes one per virtual CPU (default: RINTOS_JOBS,
    /// else the number of cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// Virtual CPUs of every boot (1 to 8).
    #[arg(long, default_value_t = 1)]
    smp: u32,
    /// Boot the kernel that checks the lock order.
    #[arg(long)]
    lock_checks: bool,
    /// Extra kernel options for every boot, e.g. `-ul=64 -jitter=5` or `-clean-ahead=on`
    /// (repeat-stress puts them after each round's own).
    #[arg(long, allow_hyphen_values = true, num_args = 1..)]
    kernel: Vec<String>,
}

impl Machines {
    /// The runner options of every boot.
    fn runner_args(&self) -> Vec<String> {
        let mut args = vec![format!("--smp={}", self.smp)];
        if self.lock_checks {
            args.push("--lock-checks".into());
        }
        args
    }

    fn slots(&self) -> usize {
        self.jobs.unwrap_or_else(pool::default_slots)
    }
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
            machines,
        } => {
            let plan = FuzzPlan {
                calls,
                per_boot,
                lanes,
                first_seed,
                kernel_options: machines.kernel.clone(),
            };
            fuzz(&root, &plan, &machines)
        }
        Command::Repeat {
            runs,
            filters,
            seed,
            machines,
        } => repeat(&root, runs, &filters, seed, &machines),
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

struct FuzzPlan {
    calls: u64,
    per_boot: u32,
    lanes: u32,
    first_seed: u64,
    kernel_options: Vec<String>,
}

/// The fuzzer's boot of `seed` as a catalogue case (so the suite's checker judges it): the
/// driver's three lines, any exit lines, and the leak check. Its id is `seed-SEED/sc-fuzz`.
fn fuzz_case(
    seed: u64,
    calls: u32,
    lanes: u32,
    kernel_options: &[String],
    runner_args: Vec<String>,
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
        dir: format!("seed-{seed}"),
        name,
        program: Some(program),
        putfiles: Vec::new(),
        run_args: None,
        kernel_args: Some(kernel_args),
        runner_args,
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

fn fuzz(root: &Path, plan: &FuzzPlan, machines: &Machines) -> anyhow::Result<bool> {
    let artifacts = runner::guest_artifacts(root)?;
    let boots = plan.calls.div_ceil(u64::from(plan.per_boot));
    let slots = machines.slots();
    println!(
        "fuzz soak: {} calls, {boots} boots of {} calls by {} lanes, seeds {}.., {slots} host CPUs at once",
        plan.calls, plan.per_boot, plan.lanes, plan.first_seed
    );
    let cases: Vec<Case> = (plan.first_seed..plan.first_seed + boots)
        .map(|seed| {
            Case::Catalogue(fuzz_case(
                seed,
                plan.per_boot,
                plan.lanes,
                &plan.kernel_options,
                machines.runner_args(),
            ))
        })
        .collect();
    let started = Instant::now();
    let report = |progress: Progress| {
        if let Progress::Finished(case, judged) = progress {
            let lives = FuzzLives::of(judged);
            println!(
                "{} {}: {} lives, {} killed",
                if judged.passed { "pass" } else { "FAIL" },
                case.id(),
                lives.lives,
                lives.kills
            );
        }
    };
    let outcomes = cases::run_cases(
        &cases,
        &artifacts,
        root,
        &root.join("target/stress/fuzz"),
        slots,
        &report,
    );
    let seconds = started.elapsed().as_secs_f64();
    let failed = print_failures(&cases, &outcomes);
    let lives: u64 = outcomes
        .iter()
        .map(|judged| FuzzLives::of(judged).lives)
        .sum();
    let kills: u64 = outcomes
        .iter()
        .map(|judged| FuzzLives::of(judged).kills)
        .sum();
    let calls = boots * u64::from(plan.per_boot);
    println!(
        "\nfuzz soak: {calls} calls in {seconds:.0} s ({:.0} calls/s on {slots} host CPUs), {lives} processes, {kills} killed by the kernel",
        calls as f64 / seconds
    );
    println!("{} passed, {failed} failed", cases.len() - failed);
    Ok(failed == 0)
}

/// The processes a fuzz boot ran, and how many of them the kernel killed.
struct FuzzLives {
    lives: u64,
    kills: u64,
}

impl FuzzLives {
    fn of(judged: &Judged) -> FuzzLives {
        let exits = |pattern: &str| {
            judged
                .output
                .lines()
                .filter(|line| line.starts_with("sc-fuzz: exit(") && line.contains(pattern))
                .count() as u64
        };
        FuzzLives {
            lives: exits(""),
            kills: exits("exit(-1)"),
        }
    }
}

/// Prints why each failed case failed, where its output is and how to run it again;
/// returns how many failed.
fn print_failures(cases: &[Case], outcomes: &[Judged]) -> usize {
    let mut failed = 0;
    for (case, judged) in cases
        .iter()
        .zip(outcomes)
        .filter(|(_, judged)| !judged.passed)
    {
        failed += 1;
        println!("\nFAIL {}:", case.id());
        for reason in &judged.reasons {
            println!("  {reason}");
        }
        println!("  output: {}", judged.output_file.display());
        if let Some(replay) = &judged.replay {
            println!("  replay: {replay}");
        }
    }
    failed
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

/// Whether `filter` selects the case `id` (see `--filter`).
fn selects(filter: &str, id: &str) -> bool {
    if filter.ends_with('/') { id.starts_with(filter) } else { id.contains(filter) }
}

fn repeat(
    root: &Path,
    runs: u32,
    filters: &[String],
    seed: u64,
    machines: &Machines,
) -> anyhow::Result<bool> {
    let artifacts = runner::guest_artifacts(root)?;
    let catalogue = Catalogue::load(root)?;
    let chosen: Vec<&TestCase> = catalogue
        .cases
        .iter()
        .filter(|case| {
            filters.iter().any(|filter| selects(filter, &case.id()))
        })
        .collect();
    anyhow::ensure!(!chosen.is_empty(), "no case matches {filters:?}");
    let slots = machines.slots();
    println!(
        "repeat-stress: {} cases x {runs} rounds, seed {seed}, {slots} host CPUs at once",
        chosen.len()
    );
    let started = Instant::now();
    let mut failures = 0;
    for round in 0..runs {
        let mut options = Variation::draw(seed, round).kernel_options();
        options.extend(machines.kernel.iter().cloned());
        let cases: Vec<Case> = chosen
            .iter()
            .map(|case| {
                let mut case = case.with_kernel_options(&options);
                case.runner_args.extend(machines.runner_args());
                Case::Catalogue(case)
            })
            .collect();
        let output_dir = root.join(format!("target/stress/repeat/round-{round}"));
        let outcomes = cases::run_cases(&cases, &artifacts, root, &output_dir, slots, &|_| {});
        let failed = outcomes.iter().filter(|judged| !judged.passed).count();
        println!(
            "round {round} ({}): {} passed, {failed} failed [{:.0} s]",
            options.join(" "),
            cases.len() - failed,
            started.elapsed().as_secs_f64()
        );
        if failed > 0 {
            println!(
                "FLAKY in round {round} with {} (seed {seed}):",
                options.join(" ")
            );
            print_failures(&cases, &outcomes);
        }
        failures += failed;
    }
    println!(
        "\nrepeat-stress: {runs} rounds of {} cases in {:.0} s",
        chosen.len(),
        started.elapsed().as_secs_f64()
    );
    let total = runs as usize * chosen.len();
    println!("{} passed, {failures} failed", total - failures);
    Ok(failures == 0)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_ending_in_a_slash_selects_a_directory() {
        assert!(selects("vm/", "vm/page-linear"));
        assert!(!selects("vm/", "smp2/vm/page-linear"));
        assert!(!selects("vm/", "userprog/no-vm/multi-oom"));
        assert!(selects("page-merge", "smp2/vm/page-merge-mm"));
    }

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
    fn a_fuzz_boot_passes_on_its_three_lines_and_fails_on_a_leak() {
        let machines = Machines {
            jobs: None,
            smp: 2,
            lock_checks: true,
            kernel: Vec::new(),
        };
        let case = fuzz_case(9, 500, 2, &["-ul=64".into()], machines.runner_args());
        assert_eq!(case.id(), "seed-9/sc-fuzz");
        let options =
            case.runner_options(&|program| PathBuf::from(&program.binary), Path::new("/"));
        assert!(options.lock_checks);
        assert_eq!(options.cpus(), 2);
        assert_eq!(
            options.kernel_args,
            ["-q", "-ul=64", "-f", "run", "sc-fuzz 9 500 2"]
        );
        let run = |resources_end: &str| {
            format!(
                "Pintos booting with 4,096 kB RAM...\nBoot complete.\nExecuting 'sc-fuzz 9 500 2':\n(sc-fuzz) begin\n\
                 sc-fuzz: exit(-1)\n(sc-fuzz) seed 9: 500 calls by 2 lanes\n(sc-fuzz) end\nsc-fuzz: exit(0)\n\
                 Execution of 'sc-fuzz 9 500 2' complete.\nResources at start: free-frames=9 heap-bytes=5\n\
                 Resources at end: {resources_end}\nTimer: 5 ticks\nPowering off...\n"
            )
        };
        assert!(crate::suite::check(&case, &run("free-frames=9 heap-bytes=5"), true).passed);
        let leaked = crate::suite::check(&case, &run("free-frames=8 heap-bytes=5"), true);
        assert_eq!(
            leaked.reasons,
            ["Resource leak: free-frames was 9 at start, 8 at end"]
        );
    }
}
