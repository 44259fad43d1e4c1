//! Links every program with the one layout all user programs share, `user/user.ld`, and
//! strips debug sections to keep the programs small on the 2 MB test file system. (A build
//! script's link arguments reach only its own package's bins, so each user package says it.)
fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    println!("cargo:rustc-link-arg-bins=-T{dir}/../user.ld");
    println!("cargo:rustc-link-arg-bins=--strip-debug");
    println!("cargo:rerun-if-changed=../user.ld");
}
