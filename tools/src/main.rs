//! `cargo run`: the pintos-style runner (see `rintos::runner`), `cargo run -- stress ...`
//! (see `rintos::stress`) and `cargo run -- gdb-layout` (see `rintos::gdb_layout`).
fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.split_first() {
        Some((first, rest)) if first == "stress" => rintos::stress::main(rest),
        Some((first, rest)) if first == "gdb-layout" => rintos::gdb_layout::main(rest),
        _ => rintos::runner::main(&args),
    }
}
