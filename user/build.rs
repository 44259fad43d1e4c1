//! Links every user program with `user.ld`, wherever cargo is started from.
fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    println!("cargo:rustc-link-arg-bins=-T{dir}/user.ld");
    // Line tables are for the kernel's backtraces; user programs must stay small, as they
    // share a 2 MB file system with the test data.
    println!("cargo:rustc-link-arg-bins=--strip-debug");
    println!("cargo:rerun-if-changed=user.ld");
}
