//! `cargo run`: the pintos-style runner (see `rintos::runner`).
fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    rintos::runner::main(&args)
}
