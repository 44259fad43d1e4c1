//! `cargo bench`: the fault benchmark (see `harness`). `cargo bench -- --quick` runs one
//! short pass of each experiment; `--runs=N` changes how often each runs. Prints a table and
//! writes `target/bench/faults.csv` and `target/bench/fault-latency.svg`.

// `cargo bench` compiles this target with cfg(test) but without the test harness: the
// harness's unit tests (run by `cargo test`, through tests/bench/quick.rs) are dead code here.
#[cfg_attr(test, allow(unused))]
mod harness;

use std::process::ExitCode;

use harness::Config;

fn main() -> ExitCode {
    let root = rintos::runner::repo_root();
    let mut config = Config::full(&root);
    // Cargo passes `--bench` to a benchmark without the standard harness; ignore it.
    for arg in std::env::args().skip(1).filter(|arg| arg != "--bench") {
        if arg == "--quick" {
            config = Config::quick(&root);
        } else if let Some(runs) = arg
            .strip_prefix("--runs=")
            .and_then(|runs| runs.parse().ok())
            .filter(|&runs| runs > 0)
        {
            config.runs = runs;
        } else {
            eprintln!("usage: cargo bench -- [--quick] [--runs=N]   (unknown argument {arg})");
            return ExitCode::FAILURE;
        }
    }
    let published = harness::run(&config).and_then(|results| harness::publish(&config, &results));
    match published {
        Ok(published) => {
            print!("{}", published.table);
            println!(
                "\nWrote {} and {}",
                published.csv.display(),
                published.chart.display()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}
