//! Installs what a fresh machine lacks to build and run Rintos (rust-src, QEMU, gcc's 32-bit
//! support); `.ci/run` calls it before `cargo test`.
fn main() -> anyhow::Result<()> {
    rintos::runner::ensure_tools(&rintos::runner::repo_root())
}
