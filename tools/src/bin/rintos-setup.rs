//! Installs what a fresh machine lacks to build and run Rintos (rust-src, QEMU, gcc's 32-bit
//! support, gdb); `.ci/run` calls it before `cargo test`.
use std::process::ExitCode;

fn main() -> ExitCode {
    match rintos::runner::ensure_tools(&rintos::runner::repo_root()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("rintos-setup: {error:#}");
            ExitCode::FAILURE
        }
    }
}
