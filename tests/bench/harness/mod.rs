//! The fault benchmark: three experiments, each run several times in fresh virtual machines,
//! summarised as medians with their spread.
//!
//! 1. Contention (`bench-contend`): K counting processes, the zero-fill probe, and in the
//!    loaded phase M processes faulting on a memory-mapped file larger than memory, on a
//!    throttled disk; once with faults as futures and once with `-vm=serial`.
//! 2. Minor-fault throughput (`bench-touch`): fresh pages touched one after another, next
//!    to the floor of a trap plus zeroing a page.
//! 3. Outcomes: the classic page-* and mmap-shuffle tests at 4 MB RAM and 4 MB swap, with
//!    and without `-vm=serial`, and page-parallel without sharing.
//! 4. Several CPUs: processes touching fresh pages all at once on 1, 2 and 4 CPUs
//!    (`bench-touch parallel`), and the same processes making system calls that do nothing;
//!    the parallel outcome tests again on 2 CPUs (with their TLB shootdowns), and the
//!    contention experiment's async variant on 2 CPUs.

pub mod output;
pub mod report;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, ensure};
use indicatif::{ProgressBar, ProgressStyle};
use rintos::cases::{self, Case};
use rintos::disk::SECTORS_PER_MB;
use rintos::runner::{self, GuestArtifacts, Options, PartitionSource};
use rintos::suite::Catalogue;
use rintos_abi::latency::{FaultClass, Histogram};

use output::{KernelReport, ReportLine, report_lines};

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Runs of every experiment and variant.
    pub runs: usize,
    pub contention: Contention,
    pub throughput: Throughput,
    /// Catalogue ids of the outcome tests (each runs async and serial), and outcome tests
    /// that also run in another mode (without sharing, with clean-ahead).
    pub outcomes: Vec<&'static str>,
    pub outcomes_also: Vec<(&'static str, Mode)>,
    pub scaling: Scaling,
    /// Where the CSV and the chart go.
    pub out_dir: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Contention {
    pub counters: u32,
    pub loads: u32,
    pub seconds: u32,
    /// Pages each probe process touches.
    pub probe_pages: u32,
    /// Size of the file the faulting processes map (each maps all of it, again and again).
    pub load_file_kib: u32,
    /// Disk requests per second (QEMU counts one per command block: one per page, since the
    /// driver reads and writes 8 sectors per interrupt).
    pub iops: u32,
    pub memory_mb: u32,
    /// The guest clocks to run under.
    pub clocks: Vec<GuestClock>,
    /// Modes run besides async and serial, in host time on one CPU.
    pub modes_also: Vec<Mode>,
}

/// What the guest's clocks (the TSC and the timer) count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuestClock {
    /// Host time: what a user waits, but a busy host stretches any interval at random.
    Host,
    /// Executed instructions (QEMU `-icount shift=4`: 16 ns each, a 62.5 MIPS machine):
    /// the same work always takes the same time, whatever else the host runs. Waiting for
    /// the disk still takes host time; as the disk is throttled, the runner keeps the
    /// guest's clock from running ahead of the host's (`align=on`), so that a guest second
    /// holds as many of the disk's requests in both clocks.
    Instructions,
}

impl GuestClock {
    /// Appended to variant names ("async loaded icount").
    pub fn suffix(self) -> &'static str {
        match self {
            GuestClock::Host => "",
            GuestClock::Instructions => " icount",
        }
    }

    /// QEMU's `-icount` shift for this clock.
    fn icount(self) -> Option<String> {
        match self {
            GuestClock::Host => None,
            GuestClock::Instructions => Some("4".into()),
        }
    }
}

/// What runs on several CPUs.
#[derive(Debug, Clone)]
pub struct Scaling {
    /// The CPU counts of the parallel minor-fault experiment; the first is the baseline.
    pub cpus: Vec<u32>,
    /// Processes that touch fresh pages at once (the same number on every CPU count, so
    /// that the work is the same), and pages each.
    pub processes: u32,
    pub pages: u32,
    /// System calls each process makes in the same experiment with calls instead of faults.
    pub calls: u32,
    pub memory_mb: u32,
    /// Outcome tests that run again, faults as futures, on `outcome_cpus` CPUs.
    pub outcomes: Vec<&'static str>,
    pub outcome_cpus: u32,
    /// CPUs of one more contention run, faults as futures, guest clocks in host time
    /// (`None`: no such run).
    pub contention_cpus: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct Throughput {
    /// Fresh processes per run, each touching `pages` pages.
    pub processes: u32,
    pub pages: u32,
    pub memory_mb: u32,
}

const OUTCOME_TESTS: [&str; 8] = [
    "vm/page-linear",
    "vm/page-parallel",
    "vm/page-shuffle",
    "vm/page-merge-seq",
    "vm/page-merge-par",
    "vm/page-merge-stk",
    "vm/page-merge-mm",
    "vm/mmap-shuffle",
];

impl Config {
    /// The full benchmark: minutes.
    pub fn full(repo_root: &Path) -> Config {
        Config {
            runs: 3,
            contention: Contention {
                counters: 2,
                loads: 2,
                seconds: 10,
                probe_pages: 512,
                load_file_kib: 256,
                // 8 ms per page, a real disk's random read.
                iops: 125,
                memory_mb: 8,
                clocks: vec![GuestClock::Host, GuestClock::Instructions],
                modes_also: vec![Mode::FillOnThread],
            },
            throughput: Throughput {
                processes: 5,
                pages: 1024,
                memory_mb: 16,
            },
            outcomes: OUTCOME_TESTS.to_vec(),
            outcomes_also: vec![
                ("vm/page-parallel", Mode::NoSharing),
                ("vm/page-parallel", Mode::NoLoadControl),
                ("vm/page-linear", Mode::CleanAhead),
                ("vm/page-merge-seq", Mode::CleanAhead),
                ("vm/page-merge-par", Mode::CleanAhead),
                ("vm/page-linear", Mode::FillOnThread),
                ("vm/page-merge-par", Mode::FillOnThread),
            ],
            scaling: Scaling {
                cpus: vec![1, 2, 4],
                processes: 4,
                pages: 1024,
                calls: 20_000,
                memory_mb: 32,
                outcomes: vec!["vm/page-parallel", "vm/page-merge-par"],
                outcome_cpus: 2,
                contention_cpus: Some(2),
            },
            out_dir: repo_root.join("target/bench"),
        }
    }

    /// One short pass of each experiment, to check that the harness works.
    pub fn quick(repo_root: &Path) -> Config {
        let full = Config::full(repo_root);
        Config {
            runs: 1,
            contention: Contention {
                seconds: 2,
                probe_pages: 64,
                clocks: vec![GuestClock::Host],
                ..full.contention
            },
            throughput: Throughput {
                processes: 1,
                pages: 256,
                ..full.throughput
            },
            outcomes: vec!["vm/page-linear", "vm/page-parallel"],
            outcomes_also: vec![("vm/page-parallel", Mode::NoSharing), ("vm/page-linear", Mode::CleanAhead)],
            scaling: Scaling {
                cpus: vec![1, 2],
                processes: 2,
                pages: 128,
                calls: 2_000,
                outcomes: vec!["vm/page-parallel"],
                ..full.scaling
            },
            out_dir: repo_root.join("target/bench/quick"),
        }
    }
}

/// How the kernel services faults in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mode {
    Async,
    Serial,
    /// Asynchronous, without sharing of read-only executable pages.
    NoSharing,
    /// Asynchronous, with clean-ahead.
    CleanAhead,
    /// Asynchronous, without load control.
    NoLoadControl,
    /// Asynchronous, with every fault's fill on the faulting thread, none on the executor.
    FillOnThread,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Async => "async",
            Mode::Serial => "serial",
            Mode::NoSharing => "share-off",
            Mode::CleanAhead => "clean-ahead",
            Mode::NoLoadControl => "lc-off",
            Mode::FillOnThread => "fill-thread",
        }
    }

    fn kernel_options(self) -> &'static [&'static str] {
        match self {
            Mode::Async => &[],
            Mode::Serial => &["-vm=serial"],
            Mode::NoSharing => &["-share=off"],
            Mode::CleanAhead => &["-clean-ahead=on"],
            Mode::NoLoadControl => &["-lc=off"],
            Mode::FillOnThread => &["-fill=thread"],
        }
    }
}

/// One phase of one contention run.
#[derive(Debug, Clone, Default)]
pub struct PhaseRun {
    /// Zero-fill latency as the probe saw it (trap to return, from user mode), for the
    /// faults that began with the disk in the phase's state (idle: no fault waiting for
    /// the disk; loaded: at least one).
    pub probe: Histogram,
    /// Probe faults that began with the disk in the other state.
    pub probe_other_io: u64,
    /// Minor faults of every process during the phase, as the kernel timed them.
    pub kernel_minor: Histogram,
    /// Iterations per second of all counting processes together.
    pub counting_rate: f64,
    /// The kernel's counters over the phase, and the phase's length.
    pub kernel: BTreeMap<String, u64>,
    pub seconds: f64,
}

impl PhaseRun {
    /// A kernel counter per second of the phase.
    pub fn rate(&self, counter: &str) -> f64 {
        self.kernel.get(counter).copied().unwrap_or(0) as f64 / self.seconds.max(1e-9)
    }

    pub fn major_rate(&self) -> f64 {
        self.rate("swap-in") + self.rate("file-read") + self.rate("mmap-read")
    }
}

/// One contention run: its two phases.
#[derive(Debug, Clone)]
pub struct ContentionRun {
    pub clock: GuestClock,
    pub mode: Mode,
    pub cpus: u32,
    pub idle: PhaseRun,
    pub loaded: PhaseRun,
}

#[derive(Debug, Clone)]
pub struct ThroughputRun {
    /// Faults per second of each touching process.
    pub faults_per_second: Vec<f64>,
    pub syscall_ns: u64,
    pub zero_page_ns: u64,
    /// The kernel's minor-fault histogram over the whole run.
    pub kernel_minor: Histogram,
}

/// One run of the parallel minor-fault experiment.
#[derive(Debug, Clone)]
pub struct ScalingRun {
    pub cpus: u32,
    pub faults: Rates,
    /// The same with system calls that do nothing instead of faults: what the traps allow.
    pub calls: Rates,
}

/// The parallel experiment's work per second, two ways.
#[derive(Debug, Clone, Copy)]
pub struct Rates {
    /// Over the batch, from the first start to the last end. A process that finishes
    /// exits, returning its pages, while the others still work: on one CPU between their
    /// windows, on several beside them. This counts that work on every CPU count alike.
    pub per_second: f64,
    /// Over the time during which at least one process was working: on one CPU this leaves
    /// the exits out, on several it cannot (another CPU works meanwhile), so it favours
    /// one CPU.
    pub per_working_second: f64,
}

#[derive(Debug, Clone)]
pub struct OutcomeRun {
    pub test: &'static str,
    pub mode: Mode,
    pub cpus: u32,
    pub wall_seconds: f64,
    pub passed: bool,
    pub kernel: KernelReport,
}

/// Everything one invocation measured.
#[derive(Debug, Clone, Default)]
pub struct Results {
    pub contention: Vec<ContentionRun>,
    pub throughput: Vec<ThroughputRun>,
    pub scaling: Vec<ScalingRun>,
    pub outcomes: Vec<OutcomeRun>,
}

/// What a variant's name says of its CPUs: nothing for one.
pub fn cpus_suffix(cpus: u32) -> String {
    if cpus == 1 { String::new() } else { format!(" {cpus}cpu") }
}

/// Runs every experiment of `config`, showing progress; returns what was measured.
pub fn run(config: &Config) -> anyhow::Result<Results> {
    let root = runner::repo_root();
    let catalogue = Catalogue::load(&root)?;
    std::fs::create_dir_all(&config.out_dir)?;
    let artifacts = snapshot(
        &runner::guest_artifacts(&root)?,
        &config.out_dir.join("guest"),
    )?;
    let load_file = config.out_dir.join("load.dat");
    std::fs::write(
        &load_file,
        vec![0x5a; (config.contention.load_file_kib as usize) << 10],
    )?;

    let scaling = &config.scaling;
    let outcome_runs = config.outcomes.len() * 2 + config.outcomes_also.len() + scaling.outcomes.len();
    let contention_runs =
        2 * config.contention.clocks.len() + config.contention.modes_also.len() + usize::from(scaling.contention_cpus.is_some());
    let total = config.runs * (contention_runs + 1 + scaling.cpus.len() + outcome_runs);
    let progress = ProgressBar::new(total as u64).with_style(
        ProgressStyle::with_template("{elapsed:>4} [{bar:30}] {pos}/{len} {msg}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    let mut results = Results::default();
    for run in 1..=config.runs {
        let contention_variants = config
            .contention
            .clocks
            .iter()
            .flat_map(|&clock| [(clock, Mode::Async, 1), (clock, Mode::Serial, 1)])
            .chain(config.contention.modes_also.iter().map(|&mode| (GuestClock::Host, mode, 1)))
            .chain(scaling.contention_cpus.map(|cpus| (GuestClock::Host, Mode::Async, cpus)));
        for (clock, mode, cpus) in contention_variants {
            let name = format!("{}{}{}", mode.name(), clock.suffix(), cpus_suffix(cpus));
            progress.set_message(format!("contention, {name} (run {run})"));
            let log = config.out_dir.join(format!("runs/contention-{}-{run}.txt", name.replace(' ', "-")));
            results.contention.push(contention(
                &config.contention,
                (clock, mode, cpus),
                &artifacts,
                &load_file,
                &log,
            )?);
            progress.inc(1);
        }
        progress.set_message(format!("minor-fault throughput (run {run})"));
        let log = config.out_dir.join(format!("runs/throughput-{run}.txt"));
        results
            .throughput
            .push(throughput(&config.throughput, &artifacts, &log)?);
        progress.inc(1);
        for &cpus in &scaling.cpus {
            progress.set_message(format!("parallel minor faults, {cpus} CPUs (run {run})"));
            let log = config.out_dir.join(format!("runs/parallel-{cpus}cpu-{run}.txt"));
            let calls_log = config.out_dir.join(format!("runs/parallel-calls-{cpus}cpu-{run}.txt"));
            results.scaling.push(ScalingRun {
                cpus,
                faults: parallel_rates(scaling, cpus, Work::Touch, &artifacts, &log)?,
                calls: parallel_rates(scaling, cpus, Work::Calls, &artifacts, &calls_log)?,
            });
            progress.inc(1);
        }
        let variants = config
            .outcomes
            .iter()
            .flat_map(|test| [(*test, Mode::Async, 1), (*test, Mode::Serial, 1)])
            .chain(config.outcomes_also.iter().map(|&(test, mode)| (test, mode, 1)))
            .chain(scaling.outcomes.iter().map(|test| (*test, Mode::Async, scaling.outcome_cpus)));
        for (test, mode, cpus) in variants {
            progress.set_message(format!("{test}, {}{} (run {run})", mode.name(), cpus_suffix(cpus)));
            let logs = config.out_dir.join(format!("runs/{}{}-{run}", mode.name(), cpus_suffix(cpus).replace(' ', "-")));
            results
                .outcomes
                .push(outcome(test, (mode, cpus), &catalogue, &artifacts, &root, &logs)?);
            progress.inc(1);
        }
    }
    progress.finish_and_clear();
    Ok(results)
}

/// Where [`publish`] put its files.
pub struct Published {
    pub table: String,
    pub csv: PathBuf,
    pub chart: PathBuf,
}

/// Computes the figures of `results` and writes the CSV and the chart into the output
/// directory; returns the terminal table and the files' paths.
pub fn publish(config: &Config, results: &Results) -> anyhow::Result<Published> {
    let figures = report::figures(results);
    let csv = config.out_dir.join("faults.csv");
    std::fs::write(&csv, report::csv(&figures))
        .with_context(|| format!("writing {}", csv.display()))?;
    let chart = config.out_dir.join("fault-latency.svg");
    report::chart(results, &chart).with_context(|| format!("drawing {}", chart.display()))?;
    Ok(Published {
        table: report::table(config, &figures),
        csv,
        chart,
    })
}

/// A copy of the kernel and the Rust user programs in `dir`: the work tree is shared, and a
/// rebuild by someone else during the benchmark must not change what is measured.
fn snapshot(built: &GuestArtifacts, dir: &Path) -> anyhow::Result<GuestArtifacts> {
    std::fs::create_dir_all(dir)?;
    let copy = |path: &Path| -> anyhow::Result<PathBuf> {
        let target = dir.join(path.file_name().context("a guest file without a name")?);
        std::fs::copy(path, &target).with_context(|| format!("copying {}", path.display()))?;
        Ok(target)
    };
    let rust_programs = built
        .rust_programs
        .iter()
        .map(|(name, path)| Ok((name.clone(), copy(path)?)))
        .collect::<anyhow::Result<_>>()?;
    // The runner writes the symbol file of a kernel given with `--kernel` itself.
    Ok(GuestArtifacts {
        kernel: copy(&built.kernel)?,
        symbols: built.symbols.clone(),
        rust_programs,
        c_program_dir: built.c_program_dir.clone(),
    })
}

/// Boots the snapshot's kernel with `options`, then `-q` plus `kernel_options`, `-f` and
/// `run command`; returns the output (also kept in `log`), checked for a clean power-off.
fn boot(
    guest: &GuestArtifacts,
    mut options: Options,
    kernel_options: &[&str],
    command: &str,
    log: &Path,
) -> anyhow::Result<String> {
    options.kernel = Some(guest.kernel.clone());
    options.kernel_args = std::iter::once("-q")
        .chain(kernel_options.iter().copied())
        .chain(["-f", "run", command])
        .map(String::from)
        .collect();
    let outcome = runner::run(&options)?;
    cases::save_output(log, &outcome.output)?;
    ensure!(
        outcome.clean_exit,
        "`{command}` did not end in a clean power-off ({:?}); its output:\n{}",
        outcome.ending,
        outcome.output
    );
    Ok(outcome.output)
}

/// The classic test options with a file system, and swap if `swap_mb` is given, on a
/// machine of `memory_mb`.
fn machine(timeout_secs: u64, memory_mb: u32, swap_mb: Option<u32>) -> Options {
    let mut options = Options::classic(timeout_secs);
    options.memory_mb = memory_mb;
    options.filesys = Some(PartitionSource::Size(2 * SECTORS_PER_MB));
    options.swap = swap_mb.map(|mb| PartitionSource::Size(mb * SECTORS_PER_MB));
    options
}

fn program<'a>(artifacts: &'a GuestArtifacts, name: &str) -> anyhow::Result<&'a Path> {
    let path = artifacts
        .rust_programs
        .get(name)
        .with_context(|| format!("the guest build has no program {name}"))?;
    Ok(path)
}

/// The contention experiment's time slice, in timer ticks. With the default of 4, a thread
/// woken by the disk waits behind every spinning process's 40 ms slice for each sector
/// (the driver reads sectors by PIO, one interrupt each), and starting the experiment's
/// processes takes minutes.
const SLICE: &str = "-slice=1";

fn contention(
    config: &Contention,
    (clock, mode, cpus): (GuestClock, Mode, u32),
    artifacts: &GuestArtifacts,
    load_file: &Path,
    log: &Path,
) -> anyhow::Result<ContentionRun> {
    let command = format!(
        "bench-contend run {} {} {} {}",
        config.counters, config.loads, config.seconds, config.probe_pages
    );
    // Each phase runs for its seconds; the disk is slow on purpose, so setting up takes a
    // while too.
    let timeout = 2 * config.seconds + 180;
    let mut options = machine(u64::from(timeout), config.memory_mb, Some(4));
    options.throttle_iops = Some(config.iops);
    options.icount = clock.icount();
    options.smp = (cpus > 1).then_some(cpus);
    options.put(program(artifacts, "bench-contend")?, "bench-contend");
    options.put(load_file, "load.dat");
    let mut kernel_options = mode.kernel_options().to_vec();
    kernel_options.push(SLICE);
    let output = boot(artifacts, options, &kernel_options, &command, log)?;
    let lines = report_lines(&output)?;
    let phase = |name: &str| {
        phase_run(&lines, name)
            .with_context(|| format!("contention ({}), phase {name}:\n{output}", mode.name()))
    };
    Ok(ContentionRun {
        clock,
        mode,
        cpus,
        idle: phase("idle")?,
        loaded: phase("loaded")?,
    })
}

/// The phase's figures. A sample counts for the phase only if the disk was in the state
/// the phase is about: quiet in `idle`, busy with fault I/O in `loaded`.
fn phase_run(lines: &[ReportLine], phase: &str) -> anyhow::Result<PhaseRun> {
    let io = if phase == "idle" { "quiet" } else { "busy" };
    let mut run = PhaseRun::default();
    let (mut iterations, mut ms, mut counted) = (0, 0, false);
    let mut kernel_seen = false;
    for line in lines.iter().filter(|line| line.text("phase") == phase) {
        match line.what.as_str() {
            "probe" => {
                let histogram = line
                    .histogram
                    .as_ref()
                    .context("a probe line without a histogram")?;
                if line.text("io") == io {
                    run.probe.merge(histogram);
                } else {
                    run.probe_other_io += histogram.count();
                }
            }
            "count" => {
                iterations += line
                    .number(&format!("{io}-iterations"))
                    .context("count without iterations")?;
                ms += line
                    .number(&format!("{io}-ms"))
                    .context("count without ms")?;
                counted = true;
            }
            "kernel" => {
                run.seconds = line.number("ms").context("kernel line without ms")? as f64 / 1000.0;
                run.kernel = line
                    .fields
                    .iter()
                    .filter_map(|(key, value)| Some((key.clone(), value.parse().ok()?)))
                    .collect();
                kernel_seen = true;
            }
            "kernel-latency" if line.text("class") == FaultClass::Minor.name() => {
                run.kernel_minor = line
                    .histogram
                    .clone()
                    .context("kernel-latency without a histogram")?;
            }
            _ => {}
        }
    }
    ensure!(
        counted && kernel_seen,
        "the counting processes or the kernel counters are missing"
    );
    // Per counting process: the processes share the CPU, so their rates add up.
    let counters = lines
        .iter()
        .filter(|line| line.what == "count" && line.text("phase") == phase)
        .count()
        .max(1);
    run.counting_rate = iterations as f64 * 1000.0 / (ms as f64 / counters as f64).max(1.0);
    Ok(run)
}

fn throughput(
    config: &Throughput,
    artifacts: &GuestArtifacts,
    log: &Path,
) -> anyhow::Result<ThroughputRun> {
    let mut options = machine(120, config.memory_mb, None);
    options.put(program(artifacts, "bench-touch")?, "bench-touch");
    let command = format!("bench-touch run {} {}", config.processes, config.pages);
    let output = boot(artifacts, options, &[], &command, log)?;
    let lines = report_lines(&output)?;
    let floor = lines
        .iter()
        .find(|line| line.what == "floor")
        .context("bench-touch reported no floor")?;
    let faults_per_second: Vec<f64> = lines
        .iter()
        .filter(|line| line.what == "touch")
        .map(|line| {
            let pages = line.number("pages").context("touch without pages")?;
            let ns = line.number("ns").context("touch without ns")?.max(1);
            Ok(pages as f64 * 1e9 / ns as f64)
        })
        .collect::<anyhow::Result<_>>()?;
    ensure!(
        faults_per_second.len() == config.processes as usize,
        "expected {} touch reports:\n{output}",
        config.processes
    );
    Ok(ThroughputRun {
        faults_per_second,
        syscall_ns: floor
            .number("syscall-ns")
            .context("floor without syscall-ns")?,
        zero_page_ns: floor
            .number("zero-page-ns")
            .context("floor without zero-page-ns")?,
        kernel_minor: KernelReport::parse(&output)?.histogram(FaultClass::Minor),
    })
}

/// What the processes of the parallel experiment do once they start.
#[derive(Debug, Clone, Copy)]
enum Work {
    /// Touch fresh pages: one zero-fill fault each.
    Touch,
    /// Make system calls that do nothing.
    Calls,
}

/// `bench-touch parallel` on `cpus` CPUs: every process waits for the agreed start, then
/// does its work; all their faults (or calls) per second (see [`Rates`]).
fn parallel_rates(
    config: &Scaling,
    cpus: u32,
    work: Work,
    artifacts: &GuestArtifacts,
    log: &Path,
) -> anyhow::Result<Rates> {
    let mut options = machine(120, config.memory_mb, None);
    options.smp = (cpus > 1).then_some(cpus);
    options.put(program(artifacts, "bench-touch")?, "bench-touch");
    let (part, count_key, count) = match work {
        Work::Touch => ("touch", "pages", config.pages),
        Work::Calls => ("calls", "calls", config.calls),
    };
    let command = format!("bench-touch parallel {part} {} {count}", config.processes);
    let output = boot(artifacts, options, &[], &command, log)?;
    let reports = report_lines(&output)?
        .into_iter()
        .filter(|line| line.what == part)
        .map(|line| {
            let number = |key| line.number(key).with_context(|| format!("{part} without {key}"));
            Ok((number(count_key)?, number("start-ns")?, number("end-ns")?))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    ensure!(
        reports.len() == config.processes as usize,
        "expected {} {part} reports:\n{output}",
        config.processes
    );
    let done: u64 = reports.iter().map(|report| report.0).sum();
    let windows: Vec<(u64, u64)> = reports.iter().map(|report| (report.1, report.2)).collect();
    let first_start = windows.iter().map(|window| window.0).min().unwrap_or(0);
    let last_end = windows.iter().map(|window| window.1).max().unwrap_or(0);
    Ok(Rates {
        per_second: done as f64 * 1e9 / (last_end - first_start).max(1) as f64,
        per_working_second: done as f64 * 1e9 / covered_ns(windows).max(1) as f64,
    })
}

/// How long at least one of the `(start, end)` windows was open.
fn covered_ns(mut windows: Vec<(u64, u64)>) -> u64 {
    windows.sort_unstable();
    let mut covered = 0;
    let mut open: Option<(u64, u64)> = None;
    for (start, end) in windows {
        match &mut open {
            Some((_, open_end)) if start <= *open_end => *open_end = (*open_end).max(end),
            _ => {
                if let Some((open_start, open_end)) = open {
                    covered += open_end - open_start;
                }
                open = Some((start, end));
            }
        }
    }
    covered + open.map_or(0, |(start, end)| end - start)
}

/// Runs the catalogue case `test` on the snapshot's kernel in `mode` on `cpus` CPUs,
/// keeping its output under `logs`.
fn outcome(
    test: &'static str,
    (mode, cpus): (Mode, u32),
    catalogue: &Catalogue,
    artifacts: &GuestArtifacts,
    root: &Path,
    logs: &Path,
) -> anyhow::Result<OutcomeRun> {
    let case = catalogue
        .cases
        .iter()
        .find(|case| case.id() == test)
        .with_context(|| format!("no test {test} in the catalogue"))?;
    let kernel_options: Vec<String> = mode.kernel_options().iter().map(|option| option.to_string()).collect();
    let mut case = case.with_kernel_options(&kernel_options);
    case.runner_args
        .push(format!("--kernel={}", artifacts.kernel.display()));
    if cpus > 1 {
        case.runner_args.push(format!("--smp={cpus}"));
    }
    let started = Instant::now();
    let judged = cases::run_case(&Case::Catalogue(case), artifacts, root, logs);
    let wall_seconds = started.elapsed().as_secs_f64();
    let kernel = KernelReport::parse(&judged.output)
        .with_context(|| format!("{test} ({}): {}", mode.name(), judged.reasons.join("; ")))?;
    Ok(OutcomeRun {
        test,
        mode,
        cpus,
        wall_seconds,
        passed: judged.passed,
        kernel,
    })
}

/// The median, smallest and largest of some measurements.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub count: usize,
}

impl Spread {
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<Spread> {
        let mut values: Vec<f64> = values
            .into_iter()
            .filter(|value| value.is_finite())
            .collect();
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let middle = values.len() / 2;
        let median = if values.len() % 2 == 1 {
            values[middle]
        } else {
            (values[middle - 1] + values[middle]) / 2.0
        };
        Some(Spread {
            median,
            min: values[0],
            max: values[values.len() - 1],
            count: values.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreads_take_the_middle_value_or_the_mean_of_the_two() {
        let spread = Spread::of([3.0, 1.0, 2.0]).unwrap();
        assert_eq!(
            (spread.median, spread.min, spread.max, spread.count),
            (2.0, 1.0, 3.0, 3)
        );
        assert_eq!(Spread::of([4.0, 1.0, 2.0, 3.0]).unwrap().median, 2.5);
        assert_eq!(Spread::of([]), None);
    }

    #[test]
    fn covered_time_counts_overlapping_windows_once() {
        assert_eq!(covered_ns(vec![(10, 20), (30, 35)]), 15);
        assert_eq!(covered_ns(vec![(10, 20), (15, 30), (12, 14)]), 20);
        assert_eq!(covered_ns(vec![(5, 9), (0, 2), (9, 10)]), 7);
        assert_eq!(covered_ns(vec![]), 0);
    }

    #[test]
    fn a_phase_gathers_its_own_lines_only() {
        let lines = report_lines(
            "bench probe phase=idle io=quiet faults=2 | 40:2\n\
             bench probe phase=loaded io=busy faults=4 | 60:1 41:3\n\
             bench probe phase=loaded io=quiet faults=1 | 41:1\n\
             bench count phase=loaded busy-iterations=3000 busy-ms=1000 quiet-iterations=5 quiet-ms=1\n\
             bench count phase=loaded busy-iterations=2000 busy-ms=1000 quiet-iterations=5 quiet-ms=1\n\
             bench kernel phase=loaded ms=2000 probes=2 swap-in=10 mmap-read=30\n\
             bench kernel-latency phase=loaded class=minor | 41:9\n",
        )
        .unwrap();
        let phase = phase_run(&lines, "loaded").unwrap();
        assert_eq!((phase.probe.count(), phase.probe_other_io), (4, 1));
        assert_eq!(phase.kernel_minor.count(), 9);
        assert_eq!(phase.counting_rate, 5000.0);
        assert_eq!(phase.major_rate(), 20.0);
        assert!(phase_run(&lines, "idle").is_err());
    }
}
