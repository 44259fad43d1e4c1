//! Turning [`Results`] into what a person reads: a table for the terminal, a CSV of every
//! figure, and an SVG chart of the probe's latency distributions.

use std::fmt::Write as _;
use std::path::Path;

use plotters::prelude::*;
use rintos_abi::latency::{Histogram, bucket_range};

use super::{Config, ContentionRun, GuestClock, Mode, PhaseRun, Rates, Results, ScalingRun, Spread, cpus_suffix};

/// One figure: a median over runs and its spread.
#[derive(Debug, Clone)]
pub struct Figure {
    pub experiment: &'static str,
    pub variant: String,
    pub metric: &'static str,
    pub unit: &'static str,
    pub spread: Spread,
}

/// The contention variants that ran (clock, mode, CPUs), in the order they first ran.
fn contention_variants(results: &Results) -> Vec<(GuestClock, Mode, u32)> {
    let mut variants = Vec::new();
    for run in &results.contention {
        if !variants.contains(&(run.clock, run.mode, run.cpus)) {
            variants.push((run.clock, run.mode, run.cpus));
        }
    }
    variants
}

/// Every figure of `results`, in table order.
pub fn figures(results: &Results) -> Vec<Figure> {
    let mut figures = Vec::new();
    let mut add = |experiment, variant: String, metric, unit, values: Vec<f64>| {
        if let Some(spread) = Spread::of(values) {
            figures.push(Figure {
                experiment,
                variant,
                metric,
                unit,
                spread,
            });
        }
    };
    for (clock, mode, cpus) in contention_variants(results) {
        let runs: Vec<&ContentionRun> = results
            .contention
            .iter()
            .filter(|run| run.mode == mode && run.clock == clock && run.cpus == cpus)
            .collect();
        for (phase_name, phase) in [
            (
                "idle",
                (|run: &ContentionRun| &run.idle) as fn(&ContentionRun) -> &PhaseRun,
            ),
            ("loaded", |run| &run.loaded),
        ] {
            let variant = format!("{} {phase_name}{}{}", mode.name(), clock.suffix(), cpus_suffix(cpus));
            let each = |measure: &dyn Fn(&PhaseRun) -> f64| {
                runs.iter()
                    .map(|run| measure(phase(run)))
                    .collect::<Vec<f64>>()
            };
            let us = |histogram: &Histogram, fraction| {
                histogram
                    .quantile(fraction)
                    .map_or(f64::NAN, |ns| ns as f64 / 1000.0)
            };
            add(
                "contention",
                variant.clone(),
                "probe minor p50",
                "us",
                each(&|run| us(&run.probe, 0.5)),
            );
            add(
                "contention",
                variant.clone(),
                "probe minor p99",
                "us",
                each(&|run| us(&run.probe, 0.99)),
            );
            add(
                "contention",
                variant.clone(),
                "kernel minor p50",
                "us",
                each(&|run| us(&run.kernel_minor, 0.5)),
            );
            add(
                "contention",
                variant.clone(),
                "kernel minor p99",
                "us",
                each(&|run| us(&run.kernel_minor, 0.99)),
            );
            add(
                "contention",
                variant.clone(),
                "probe samples",
                "faults",
                each(&|run| run.probe.count() as f64),
            );
            add(
                "contention",
                variant.clone(),
                "probe, other disk state",
                "faults",
                each(&|run| run.probe_other_io as f64),
            );
            add(
                "contention",
                variant.clone(),
                "counting rate",
                "M iter/s",
                each(&|run| run.counting_rate / 1e6),
            );
            add(
                "contention",
                variant.clone(),
                "probe max",
                "ms",
                each(&|run| run.probe.max_bound().map_or(f64::NAN, |ns| ns as f64 / 1e6)),
            );
            add(
                "contention",
                variant.clone(),
                "major faults",
                "/s",
                each(&|run| run.major_rate()),
            );
            add(
                "contention",
                variant.clone(),
                "minor faults",
                "/s",
                each(&|run| run.rate("zero-fill") + run.rate("resident") + run.rate("shared")),
            );
            add(
                "contention",
                variant.clone(),
                "deferred faults",
                "/s",
                each(&|run| run.rate("deferred")),
            );
            add(
                "contention",
                variant.clone(),
                "collisions",
                "/s",
                each(&|run| run.rate("collisions")),
            );
            add(
                "contention",
                variant.clone(),
                "evictions clean",
                "/s",
                each(&|run| run.rate("evictions-clean")),
            );
            add(
                "contention",
                variant.clone(),
                "evictions dirty",
                "/s",
                each(&|run| run.rate("evictions-dirty")),
            );
            add(
                "contention",
                variant.clone(),
                "ATA requests",
                "/s",
                each(&|run| run.rate("ata-requests")),
            );
            add(
                "contention",
                variant.clone(),
                "IRQ wake-ups",
                "/s",
                each(&|run| run.rate("irq-wakeups")),
            );
            add(
                "contention",
                variant.clone(),
                "executor polls",
                "/s",
                each(&|run| run.rate("executor-polls")),
            );
            add(
                "contention",
                variant.clone(),
                "minor during major",
                "/s",
                each(&|run| run.rate("minor-during-major")),
            );
        }
    }
    let throughput = &results.throughput;
    add(
        "throughput",
        "touch".into(),
        "minor faults",
        "k/s",
        throughput
            .iter()
            .flat_map(|run| run.faults_per_second.iter().map(|rate| rate / 1000.0))
            .collect(),
    );
    add(
        "throughput",
        "touch".into(),
        "time per fault",
        "us",
        throughput
            .iter()
            .flat_map(|run| run.faults_per_second.iter().map(|rate| 1e6 / rate))
            .collect(),
    );
    add(
        "throughput",
        "touch".into(),
        "kernel minor p50",
        "us",
        throughput
            .iter()
            .map(|run| {
                run.kernel_minor
                    .quantile(0.5)
                    .map_or(f64::NAN, |ns| ns as f64 / 1000.0)
            })
            .collect(),
    );
    add(
        "throughput",
        "floor".into(),
        "syscall round trip",
        "us",
        throughput
            .iter()
            .map(|run| run.syscall_ns as f64 / 1000.0)
            .collect(),
    );
    add(
        "throughput",
        "floor".into(),
        "zero 4 KiB",
        "us",
        throughput
            .iter()
            .map(|run| run.zero_page_ns as f64 / 1000.0)
            .collect(),
    );
    add(
        "throughput",
        "floor".into(),
        "trap + zero",
        "us",
        throughput
            .iter()
            .map(|run| (run.syscall_ns + run.zero_page_ns) as f64 / 1000.0)
            .collect(),
    );

    let mut cpu_counts: Vec<u32> = Vec::new();
    for run in &results.scaling {
        if !cpu_counts.contains(&run.cpus) {
            cpu_counts.push(run.cpus);
        }
    }
    for cpus in cpu_counts {
        let kinds: [(&str, &str, fn(&ScalingRun) -> Rates); 2] = [
            ("minor faults", "minor faults while working", |run| run.faults),
            ("system calls", "system calls while working", |run| run.calls),
        ];
        for (whole, working, rates) in kinds {
            let runs: Vec<Rates> = results.scaling.iter().filter(|run| run.cpus == cpus).map(rates).collect();
            add("scaling", format!("{cpus} cpu"), whole, "k/s", runs.iter().map(|rates| rates.per_second / 1000.0).collect());
            add(
                "scaling",
                format!("{cpus} cpu"),
                working,
                "k/s",
                runs.iter().map(|rates| rates.per_working_second / 1000.0).collect(),
            );
        }
    }

    let mut variants: Vec<(&'static str, Mode, u32)> = Vec::new();
    for run in &results.outcomes {
        if !variants.contains(&(run.test, run.mode, run.cpus)) {
            variants.push((run.test, run.mode, run.cpus));
        }
    }
    for (test, mode, cpus) in variants {
        let runs: Vec<_> = results
            .outcomes
            .iter()
            .filter(|run| run.test == test && run.mode == mode && run.cpus == cpus)
            .collect();
        let variant = format!("{} {}{}", test.trim_start_matches("vm/"), mode.name(), cpus_suffix(cpus));
        let each = |measure: &dyn Fn(&super::OutcomeRun) -> f64| {
            runs.iter().map(|run| measure(run)).collect::<Vec<f64>>()
        };
        add(
            "outcome",
            variant.clone(),
            "wall time",
            "s",
            each(&|run| run.wall_seconds),
        );
        add(
            "outcome",
            variant.clone(),
            "guest ticks",
            "ticks",
            each(&|run| run.kernel.ticks as f64),
        );
        add(
            "outcome",
            variant.clone(),
            "swap reads",
            "pages",
            each(&|run| run.kernel.swap_ins as f64),
        );
        add(
            "outcome",
            variant.clone(),
            "swap writes",
            "pages",
            each(&|run| run.kernel.swap_outs as f64),
        );
        add(
            "outcome",
            variant.clone(),
            "swap sectors read",
            "sectors",
            each(&|run| run.kernel.swap_sectors_read as f64),
        );
        add(
            "outcome",
            variant.clone(),
            "swap sectors written",
            "sectors",
            each(&|run| run.kernel.swap_sectors_written as f64),
        );
        add(
            "outcome",
            variant.clone(),
            "swap-cache hits",
            "pages",
            each(&|run| run.kernel.swap_cache_hits as f64),
        );
        add(
            "outcome",
            variant.clone(),
            "clean-ahead writes",
            "pages",
            each(&|run| run.kernel.clean_ahead_writes as f64),
        );
        add(
            "outcome",
            variant.clone(),
            "read-ahead hits",
            "pages",
            each(&|run| run.kernel.read_ahead_hits as f64),
        );
        add(
            "outcome",
            variant.clone(),
            "read-ahead wasted",
            "pages",
            each(&|run| run.kernel.read_ahead_wasted as f64),
        );
        add(
            "outcome",
            variant.clone(),
            "load-control waits",
            "faults",
            each(&|run| run.kernel.load_control_waits as f64),
        );
        add(
            "outcome",
            variant.clone(),
            "frames peak",
            "frames",
            each(&|run| run.kernel.frames_peak as f64),
        );
        if cpus > 1 {
            add(
                "outcome",
                variant.clone(),
                "shootdowns per eviction",
                "rounds",
                each(&|run| run.kernel.tlb_shootdowns as f64 / run.kernel.evictions.max(1) as f64),
            );
            add(
                "outcome",
                variant.clone(),
                "shootdown wait",
                "us/round",
                each(&|run| {
                    if run.kernel.tlb_shootdowns == 0 {
                        f64::NAN
                    } else {
                        run.kernel.tlb_shootdown_us as f64 / run.kernel.tlb_shootdowns as f64
                    }
                }),
            );
        }
        add(
            "outcome",
            variant.clone(),
            "passed",
            "runs",
            vec![runs.iter().filter(|run| run.passed).count() as f64],
        );
    }
    figures
}

/// The idle and loaded phases of one more contention variant of faults as futures (`mode`
/// named as in its figures, `suffix` its CPUs), with its p99 ratio.
fn futures_phases(text: &mut String, figures: &[Figure], mode: &str, suffix: &str) {
    let columns = [format!("{mode} idle{suffix}"), format!("{mode} loaded{suffix}")];
    let _ = write!(text, "{:<32}", "");
    for column in &columns {
        let _ = write!(text, "{column:>26}");
    }
    text.push('\n');
    for (metric, unit) in [
        ("probe minor p50", "us"),
        ("probe minor p99", "us"),
        ("kernel minor p99", "us"),
        ("counting rate", "M iter/s"),
        ("major faults", "/s"),
    ] {
        let _ = write!(text, "{:<32}", format!("{metric} ({unit})"));
        for column in &columns {
            let cell = find(figures, column, metric).map_or("-".into(), |figure| show(&figure.spread));
            let _ = write!(text, "{cell:>26}");
        }
        text.push('\n');
    }
    let p99 = |column: &str| find(figures, column, "probe minor p99").map(|figure| figure.spread.median);
    match (p99(&columns[1]), p99(&columns[0])) {
        (Some(loaded), Some(idle)) => {
            let _ = writeln!(text, "ratio {mode} p99 loaded / idle{suffix}: {:.1}x (target <= 2)", loaded / idle);
        }
        _ => {
            let _ = writeln!(text, "ratio {mode} p99 loaded / idle{suffix}: not measured, a phase had no probe fault (target <= 2)");
        }
    }
}

fn find<'a>(figures: &'a [Figure], variant: &str, metric: &str) -> Option<&'a Figure> {
    figures
        .iter()
        .find(|figure| figure.variant == variant && figure.metric == metric)
}

fn show(spread: &Spread) -> String {
    let value = |x: f64| {
        if x.abs() >= 100_000.0 {
            format!("{x:.2e}")
        } else if x.abs() >= 100.0 {
            format!("{x:.0}")
        } else if x.abs() >= 10.0 {
            format!("{x:.1}")
        } else {
            format!("{x:.2}")
        }
    };
    if spread.count == 1 || spread.min == spread.max {
        value(spread.median)
    } else {
        format!(
            "{} [{}-{}]",
            value(spread.median),
            value(spread.min),
            value(spread.max)
        )
    }
}

/// The terminal table: one block per experiment, then the ratios the targets are about.
pub fn table(config: &Config, figures: &[Figure]) -> String {
    let mut text = String::new();
    let contention = &config.contention;
    let _ = writeln!(
        text,
        "Contention: {} counting + {} faulting processes (each maps a {} KiB file, reads it, unmaps it, again and again), \
         probe of {} zero-fill faults per phase, {} s per phase, disk {} requests/s, {} MB RAM, time slice 1 tick. \
         Probe and counting figures count only what ran while the disk was quiet (idle) or busy with fault I/O (loaded). \
         Median [min-max] of {} runs.",
        contention.counters,
        contention.loads,
        contention.load_file_kib,
        contention.probe_pages,
        contention.seconds,
        contention.iops,
        contention.memory_mb,
        config.runs
    );
    for &clock in &contention.clocks {
        let _ = writeln!(
            text,
            "\n{}",
            match clock {
                GuestClock::Host => "Guest clocks in host time:",
                GuestClock::Instructions =>
                    "Guest clocks in executed instructions (QEMU -icount shift=4, 16 ns each):",
            }
        );
        let columns = ["async idle", "async loaded", "serial idle", "serial loaded"]
            .map(|column| format!("{column}{}", clock.suffix()));
        let metrics: Vec<(&str, &str)> = figures
            .iter()
            .filter(|figure| figure.experiment == "contention" && figure.variant == columns[0])
            .map(|figure| (figure.metric, figure.unit))
            .collect();
        let _ = write!(text, "{:<32}", "");
        for column in &columns {
            let _ = write!(text, "{column:>26}");
        }
        text.push('\n');
        for (metric, unit) in metrics {
            let _ = write!(text, "{:<32}", format!("{metric} ({unit})"));
            for column in &columns {
                let cell =
                    find(figures, column, metric).map_or("-".into(), |figure| show(&figure.spread));
                let _ = write!(text, "{cell:>26}");
            }
            text.push('\n');
        }
        for (what, numerator, denominator, target) in [
            (
                "async p99 loaded / idle",
                "async loaded",
                "async idle",
                "target <= 2",
            ),
            (
                "serial / async p99, loaded",
                "serial loaded",
                "async loaded",
                "target >= 50",
            ),
        ] {
            let p99 = |variant: &str| {
                find(
                    figures,
                    &format!("{variant}{}", clock.suffix()),
                    "probe minor p99",
                )
                .map(|figure| figure.spread.median)
            };
            match (p99(numerator), p99(denominator)) {
                (Some(top), Some(bottom)) => {
                    let _ = writeln!(
                        text,
                        "ratio {what}{}: {:.1}x ({target})",
                        clock.suffix(),
                        top / bottom
                    );
                }
                // Short phases on a slow disk: under -vm=serial the probe may wait out the
                // whole loaded phase without one fault.
                _ => {
                    let _ = writeln!(
                        text,
                        "ratio {what}{}: not measured, a phase had no probe fault ({target})",
                        clock.suffix()
                    );
                }
            }
        }
    }

    if let Some(cpus) = config.scaling.contention_cpus {
        let suffix = cpus_suffix(cpus);
        let _ = writeln!(text, "\nThe same on {cpus} CPUs, faults as futures, guest clocks in host time:");
        futures_phases(&mut text, figures, "async", &suffix);
    }
    for mode in &contention.modes_also {
        let _ = writeln!(
            text,
            "\nThe same with {} (kernel option {}), one CPU, guest clocks in host time:",
            mode.name(),
            mode.kernel_options().join(" ")
        );
        futures_phases(&mut text, figures, mode.name(), "");
    }

    let _ = writeln!(
        text,
        "\nMinor-fault throughput: {} fresh processes per run touching {} pages each, {} MB RAM.",
        config.throughput.processes, config.throughput.pages, config.throughput.memory_mb
    );
    for figure in figures
        .iter()
        .filter(|figure| figure.experiment == "throughput")
    {
        let _ = writeln!(
            text,
            "{:<28}{:>24}",
            format!("{} {} ({})", figure.variant, figure.metric, figure.unit),
            show(&figure.spread)
        );
    }
    let per_fault = find(figures, "touch", "time per fault").map(|figure| figure.spread.median);
    let floor = find(figures, "floor", "trap + zero").map(|figure| figure.spread.median);
    if let (Some(per_fault), Some(floor)) = (per_fault, floor) {
        let _ = writeln!(
            text,
            "ratio fault / (trap + zero): {:.1}x",
            per_fault / floor
        );
    }

    let scaling = &config.scaling;
    let _ = writeln!(
        text,
        "\nMinor faults on several CPUs: {} processes touch {} fresh pages each, all at once, {} MB RAM; \
         all their pages from the first start to the last end (the exits of the processes that finished \
         first included, on every CPU count), and over the time during which at least one was touching \
         (while working: on one CPU the exits fall between the windows and are left out, on several they \
         cannot be); then the same processes each making {} system calls that do nothing. QEMU runs each \
         virtual CPU on a host thread: more virtual CPUs than host cores cannot scale.",
        scaling.processes, scaling.pages, scaling.memory_mb, scaling.calls
    );
    let rate = |cpus: u32, what: &str| find(figures, &format!("{cpus} cpu"), what).map(|figure| figure.spread.median);
    for what in ["minor faults", "minor faults while working", "system calls"] {
        for &cpus in &scaling.cpus {
            if let Some(figure) = find(figures, &format!("{cpus} cpu"), what) {
                let _ = write!(text, "{:<28}{:>24}", format!("{cpus} CPUs {what} (k/s)"), show(&figure.spread));
                if let (Some(this), Some(base)) = (rate(cpus, what), scaling.cpus.first().and_then(|&base| rate(base, what))) {
                    let _ = write!(text, "   {:.2}x", this / base);
                }
                text.push('\n');
            }
        }
    }
    for (what, label, note) in [
        ("minor faults", "minor faults", " (target >= 1.8)"),
        ("minor faults while working", "minor faults while working", ""),
        (
            "system calls",
            "system calls that do nothing",
            " (a fault is a trap too: what the emulator lets traps scale to)",
        ),
    ] {
        if let (Some(two), Some(one)) = (rate(2, what), rate(1, what)) {
            let _ = writeln!(text, "ratio 2 CPUs / 1 CPU, {label}: {:.2}x{note}", two / one);
        }
    }

    let _ = writeln!(
        text,
        "\nOutcomes at 4 MB RAM and 4 MB swap (swap traffic in 512-byte sectors, as the swap device counts them; swap-cache hits, clean-ahead writes and read-ahead hits and wasted in pages; faults that waited for their turn under load control; \
         TLB shootdown rounds per eviction and the sender's wait per round on several CPUs)."
    );
    let outcome_metrics = [
        "wall time",
        "guest ticks",
        "swap sectors read",
        "swap sectors written",
        "swap-cache hits",
        "clean-ahead writes",
        "read-ahead hits",
        "read-ahead wasted",
        "load-control waits",
        "frames peak",
        "shootdowns per eviction",
        "shootdown wait",
        "passed",
    ];
    let _ = write!(text, "{:<28}", "");
    for metric in outcome_metrics {
        let _ = write!(text, "{metric:>22}");
    }
    text.push('\n');
    let mut variants: Vec<&str> = Vec::new();
    for figure in figures
        .iter()
        .filter(|figure| figure.experiment == "outcome")
    {
        if !variants.contains(&figure.variant.as_str()) {
            variants.push(&figure.variant);
        }
    }
    for variant in variants {
        let _ = write!(text, "{variant:<28}");
        for metric in outcome_metrics {
            let cell =
                find(figures, variant, metric).map_or("-".into(), |figure| show(&figure.spread));
            let _ = write!(text, "{cell:>22}");
        }
        text.push('\n');
    }
    for test in &scaling.outcomes {
        let test = test.trim_start_matches("vm/");
        let several = format!("{test} async{}", cpus_suffix(scaling.outcome_cpus));
        let one = format!("{test} async");
        for metric in ["wall time", "guest ticks"] {
            let median = |variant: &str| find(figures, variant, metric).map(|figure| figure.spread.median);
            if let (Some(several), Some(one)) = (median(&several), median(&one)) {
                let target = if test == "page-merge-par" && metric == "wall time" { " (target <= 0.65)" } else { "" };
                let _ = writeln!(
                    text,
                    "ratio {test} {metric}, {} CPUs / 1 CPU: {:.2}x{target}",
                    scaling.outcome_cpus,
                    several / one
                );
            }
        }
    }
    text
}

/// Every figure as a CSV row.
pub fn csv(figures: &[Figure]) -> String {
    let mut text = String::from("experiment,variant,metric,unit,median,min,max,runs\n");
    for figure in figures {
        let spread = &figure.spread;
        let _ = writeln!(
            text,
            "{},{},{},{},{},{},{},{}",
            figure.experiment,
            figure.variant,
            figure.metric,
            figure.unit,
            spread.median,
            spread.min,
            spread.max,
            spread.count
        );
    }
    text
}

/// The cumulative distributions of the probe's latency (all runs of a variant pooled), one
/// curve per mode and phase, on a logarithmic time axis.
pub fn chart(results: &Results, path: &Path) -> anyhow::Result<()> {
    let mut curves: Vec<(String, Histogram)> = Vec::new();
    for (clock, mode, cpus) in contention_variants(results) {
        for phase in ["idle", "loaded"] {
            let mut pooled = Histogram::default();
            for run in results
                .contention
                .iter()
                .filter(|run| run.mode == mode && run.clock == clock && run.cpus == cpus)
            {
                pooled.merge(if phase == "idle" {
                    &run.idle.probe
                } else {
                    &run.loaded.probe
                });
            }
            if pooled.count() > 0 {
                curves.push((format!("{} {phase}{}{}", mode.name(), clock.suffix(), cpus_suffix(cpus)), pooled));
            }
        }
    }
    anyhow::ensure!(!curves.is_empty(), "no probe latencies to chart");
    let points: Vec<Vec<(f64, f64)>> = curves
        .iter()
        .map(|(_, histogram)| cumulative(histogram))
        .collect();
    let low = points
        .iter()
        .flatten()
        .map(|point| point.0)
        .fold(f64::INFINITY, f64::min)
        / 1.5;
    let high = points
        .iter()
        .flatten()
        .map(|point| point.0)
        .fold(0.0, f64::max)
        * 1.5;

    let root = SVGBackend::new(path, (900, 540)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Zero-fill fault latency seen by the probe",
            ("sans-serif", 22),
        )
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d((low..high).log_scale(), 0.0..1.0)?;
    chart
        .configure_mesh()
        .x_desc("latency, trap to return (log scale)")
        .y_desc("fraction of faults at most this slow")
        .x_label_formatter(&|ns| format!("{}", format_us(*ns)))
        .draw()?;
    let colours = [
        RGBColor(31, 119, 180),
        RGBColor(23, 190, 207),
        RGBColor(214, 39, 40),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(188, 189, 34),
        RGBColor(148, 103, 189),
        RGBColor(227, 119, 194),
        RGBColor(140, 86, 75),
        RGBColor(127, 127, 127),
    ];
    for (((name, _), points), colour) in curves.iter().zip(points).zip(colours) {
        chart
            .draw_series(LineSeries::new(points, colour.stroke_width(2)))?
            .label(name.clone())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .border_style(BLACK)
        .background_style(WHITE)
        .draw()?;
    root.present()?;
    Ok(())
}

/// The cumulative fraction at the upper bound of every non-empty bucket, as steps.
fn cumulative(histogram: &Histogram) -> Vec<(f64, f64)> {
    let total = histogram.count() as f64;
    let mut seen = 0;
    let mut points = Vec::new();
    for (index, count) in histogram
        .counts
        .iter()
        .enumerate()
        .filter(|(_, count)| **count > 0)
    {
        let (low, high) = bucket_range(index);
        points.push((low.max(1) as f64, seen as f64 / total));
        seen += count;
        points.push((high as f64, seen as f64 / total));
    }
    points
}

fn format_us(ns: f64) -> String {
    let us = ns / 1000.0;
    if us >= 1000.0 {
        format!("{:.0} ms", us / 1000.0)
    } else {
        format!("{us:.0} µs")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cumulative_curve_climbs_to_one_in_steps() {
        let mut histogram = Histogram::default();
        histogram.record(1000);
        histogram.record(1000);
        histogram.record(100_000);
        let points = cumulative(&histogram);
        assert_eq!(points.len(), 4);
        assert_eq!(points.first().unwrap().1, 0.0);
        assert!((points[1].1 - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(points.last().unwrap().1, 1.0);
        assert!(points.windows(2).all(|pair| pair[0].0 <= pair[1].0));
    }

    #[test]
    fn a_spread_shows_its_range_only_when_there_is_one() {
        assert_eq!(show(&Spread::of([2.0]).unwrap()), "2.00");
        assert_eq!(
            show(&Spread::of([150.0, 120.0, 180.0]).unwrap()),
            "150 [120-180]"
        );
        assert_eq!(show(&Spread::of([9_663_676.0]).unwrap()), "9.66e6");
    }
}
