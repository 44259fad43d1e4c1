//! Links every program with the layout all user programs share, `user/user.ld`, and strips
//! debug sections (a build script's link arguments reach only its own package's bins).
fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    println!("cargo:rustc-link-arg-bins=-T{dir}/../user.ld");
    println!("cargo:rustc-link-arg-bins=--strip-debug");
    println!("cargo:rerun-if-changed=../user.ld");
}
