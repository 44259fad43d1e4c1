//! `cargo bench`: the fault benchmark (see `harness`). `cargo bench -- --quick` runs one
//! short pass of each experiment; `--runs=N` changes how often each runs; `--help` says so.
//! Prints a table and writes `target/bench/faults.csv` and `target/bench/fault-latency.svg`
//! (`target/bench/quick/` for `--quick`).

// `cargo bench` compiles this target with cfg(test) but without the test harness: the
// harness's unit tests (run by `cargo test`, through tests/bench/quick.rs) are dead code here.
#[cfg_attr(test, allow(unused))]
mod harness;

use std::process::ExitCode;

use harness::Config;

const USAGE: &str = "\
Usage: cargo bench -- [--quick] [--runs=N]
  --quick      one short pass of each experiment (runs once, unless --runs says otherwise)
  --runs=N     run every experiment and variant N times (default 3)
  -h, --help   this message
";

fn main() -> ExitCode {
    let root = rintos::runner::repo_root();
    let (mut quick, mut runs) = (false, None);
    // Cargo passes `--bench` to a benchmark without the standard harness; it means nothing here.
    for arg in std::env::args().skip(1).filter(|arg| arg != "--bench") {
        if arg == "--quick" {
            quick = true;
        } else if arg == "-h" || arg == "--help" {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        } else if let Some(count) = arg
            .strip_prefix("--runs=")
            .and_then(|count| count.parse().ok())
            .filter(|&count| count > 0)
        {
            runs = Some(count);
        } else {
            eprint!("bench: unknown argument {arg}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    }
    let mut config = if quick {
        Config::quick(&root)
    } else {
        Config::full(&root)
    };
    config.runs = runs.unwrap_or(config.runs);
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
