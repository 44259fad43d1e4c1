//! Compiles the ready queue for the model checker: `cfg(loom)` swaps its atomics and queue
//! for loom's (see the `sync` module of `rintos-taskq`).
fn main() {
    println!("cargo::rustc-check-cfg=cfg(loom)");
    println!("cargo::rustc-cfg=loom");
}
