//! `cargo run`: the pintos-style runner (see `rintos::runner`), and `cargo run -- stress ...`
//! (see `rintos::stress`).
fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.split_first() {
        Some((first, rest)) if first == "stress" => rintos::stress::main(rest),
        _ => rintos::runner::main(&args),
    }
}
