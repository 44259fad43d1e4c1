//! `cargo test`: the fault benchmark's `--quick` pass, which checks that every experiment
//! runs and yields every figure, and that the CSV and the chart are written. It asserts no
//! timing: a loaded machine may be slow.

#[path = "harness/mod.rs"]
mod harness;

use harness::{Config, Mode};

#[test]
fn the_quick_benchmark_measures_every_experiment() {
    let config = Config::quick(&rintos::runner::repo_root());
    let results = harness::run(&config).expect("the quick benchmark runs");

    let variants: Vec<(Mode, u32)> = results.contention.iter().map(|run| (run.mode, run.cpus)).collect();
    assert_eq!(variants, [(Mode::Async, 1), (Mode::Serial, 1), (Mode::FillOnThread, 1), (Mode::Async, 2)]);
    for run in &results.contention {
        for phase in [&run.idle, &run.loaded] {
            let samples = phase.probe.count() + phase.probe_other_io;
            assert_eq!(
                samples,
                u64::from(config.contention.probe_pages),
                "{:?}: every probe fault is reported",
                run.mode
            );
            assert!(
                phase.kernel_minor.count() >= samples,
                "{:?}: the kernel timed fewer minor faults than the probe took",
                run.mode
            );
        }
        assert!(
            run.idle.probe.count() > 0 && run.idle.counting_rate > 0.0,
            "{:?}: the idle phase measured nothing",
            run.mode
        );
        assert!(
            run.loaded.major_rate() > 0.0,
            "{:?}: the loaded phase took no major faults",
            run.mode
        );
    }
    let throughput = &results.throughput[0];
    assert_eq!(
        throughput.faults_per_second.len(),
        config.throughput.processes as usize
    );
    assert!(throughput.kernel_minor.count() >= u64::from(config.throughput.pages));
    let cpus: Vec<u32> = results.scaling.iter().map(|run| run.cpus).collect();
    assert_eq!(cpus, config.scaling.cpus);
    assert!(results.scaling.iter().all(|run| {
        [run.faults, run.calls].iter().all(|rates| rates.per_second > 0.0 && rates.per_working_second >= rates.per_second)
    }));
    assert_eq!(
        results.outcomes.len(),
        2 * config.outcomes.len() + config.outcomes_also.len() + config.scaling.outcomes.len()
    );
    for outcome in &results.outcomes {
        let cleans_ahead = outcome.mode == Mode::CleanAhead;
        assert_eq!(
            outcome.kernel.clean_ahead_writes > 0,
            cleans_ahead,
            "{} ({}): pages are written ahead of need exactly with -clean-ahead=on",
            outcome.test,
            outcome.mode.name()
        );
    }
    let on_two = results.outcomes.iter().find(|run| run.cpus == 2).expect("an outcome on 2 CPUs");
    assert_eq!(on_two.kernel.cpus_online, 2, "the outcome on 2 CPUs ran on 2 CPUs");
    for outcome in &results.outcomes {
        assert!(
            outcome.passed,
            "{} ({}) did not pass",
            outcome.test,
            outcome.mode.name()
        );
    }

    let published = harness::publish(&config, &results).expect("the results are published");
    let csv = std::fs::read_to_string(&published.csv).unwrap();
    for row in [
        "contention,async loaded,probe minor p99,",
        "throughput,touch,minor faults,",
        "outcome,page-parallel share-off,swap reads,",
        "scaling,2 cpu,minor faults,",
        "scaling,2 cpu,system calls,",
        "scaling,2 cpu,minor faults while working,",
        "outcome,page-parallel async 2cpu,shootdowns per eviction,",
        "contention,async loaded 2cpu,probe minor p99,",
    ] {
        assert!(csv.contains(row), "the CSV has no row starting {row}");
    }
    assert!(
        std::fs::read_to_string(&published.chart)
            .unwrap()
            .contains("<svg")
    );
    assert!(published.table.contains("ratio serial / async p99, loaded"));
    assert!(published.table.contains("ratio fill-thread p99 loaded / idle"), "the contention table of each further mode is printed");
    assert!(published.table.contains("ratio 2 CPUs / 1 CPU, minor faults"));
    assert!(published.table.contains("ratio 2 CPUs / 1 CPU, system calls"));
    assert!(published.table.contains("ratio page-parallel wall time, 2 CPUs / 1 CPU"));
    assert!(
        config.out_dir.join("runs/contention-async-1.txt").exists(),
        "each run's output is kept"
    );
}
