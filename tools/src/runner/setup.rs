//! Installs what a fresh machine lacks for building and running Rintos: the Rust standard
//! library sources (for `-Zbuild-std`), QEMU, gcc's 32-bit support (for the C user
//! programs), and gdb (for `--gdb` and its helpers, which `cargo test` tries). Used by the
//! runner, the test suite and `.ci/run` (`rintos-setup`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use anyhow::{Context, bail};

/// Checks the tools once per process, installing what is missing where possible.
pub fn ensure_tools(repo_root: &Path) -> anyhow::Result<()> {
    static RESULT: OnceLock<Result<(), String>> = OnceLock::new();
    RESULT
        .get_or_init(|| {
            ensure_rust_src(repo_root)
                .and_then(|()| ensure_qemu())
                .and_then(|()| ensure_gcc_multilib())
                .and_then(|()| ensure_gdb())
                .map_err(|error| format!("{error:#}"))
        })
        .clone()
        .map_err(anyhow::Error::msg)
}

/// A command run from the repository root with the toolchain its `rust-toolchain.toml`
/// selects (an inherited `RUSTUP_TOOLCHAIN`, e.g. from `cargo +stable`, would override it).
pub fn repo_command(program: &str, repo_root: &Path) -> Command {
    let mut command = Command::new(program);
    command
        .current_dir(repo_root)
        .env_remove("RUSTUP_TOOLCHAIN");
    command
}

fn output_of(command: &mut Command) -> anyhow::Result<String> {
    let output = command
        .output()
        .with_context(|| format!("running {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn ensure_rust_src(repo_root: &Path) -> anyhow::Result<()> {
    let sysroot = output_of(repo_command("rustc", repo_root).args(["--print", "sysroot"]))?;
    if Path::new(&sysroot)
        .join("lib/rustlib/src/rust/library/Cargo.lock")
        .exists()
    {
        return Ok(());
    }
    let active = output_of(repo_command("rustup", repo_root).args(["show", "active-toolchain"]))?;
    let toolchain = active
        .split_whitespace()
        .next()
        .context("rustup shows no active toolchain")?
        .to_string();
    eprintln!("Installing rust-src for {toolchain} (needed to build the i686 kernel)...");
    run_checked(repo_command("rustup", repo_root).args([
        "component",
        "add",
        "rust-src",
        "--toolchain",
        &toolchain,
    ]))
}

fn ensure_qemu() -> anyhow::Result<()> {
    // Installing this package removes Debian's newer qemu-utils, so qemu-img is never used:
    // the runner makes raw disk images itself.
    ensure_package(
        find_in_path("qemu-system-i386").is_some(),
        "qemu-system-x86",
        "qemu-system-i386",
    )
}

fn ensure_gcc_multilib() -> anyhow::Result<()> {
    ensure_package(gcc_can_build_32_bit(), "gcc-multilib", "gcc -m32")
}

fn ensure_gdb() -> anyhow::Result<()> {
    // Debian's gdb embeds the Python the helpers (tools/gdb/rintos.py) run on.
    ensure_package(find_in_path("gdb").is_some(), "gdb", "gdb")
}

/// `gcc -m32` links the C user programs against the 32-bit libgcc, which only
/// gcc-multilib provides.
fn gcc_can_build_32_bit() -> bool {
    let Ok(output) = Command::new("gcc")
        .args(["-m32", "-print-libgcc-file-name"])
        .output()
    else {
        return false;
    };
    let libgcc = String::from_utf8_lossy(&output.stdout).trim().to_string();
    output.status.success() && Path::new(&libgcc).is_file()
}

fn ensure_package(present: bool, package: &str, what: &str) -> anyhow::Result<()> {
    if present {
        return Ok(());
    }
    let install = format!("apt-get update && apt-get install -y {package}");
    if !is_root() {
        bail!("{what} is missing; install it with:\n    sudo sh -c '{install}'");
    }
    eprintln!("Installing {package} (for {what})...");
    run_checked(
        Command::new("sh")
            .args(["-c", &install])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

fn run_checked(command: &mut Command) -> anyhow::Result<()> {
    let status = command
        .status()
        .with_context(|| format!("running {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed ({status})");
    }
    Ok(())
}

/// The first executable called `program` on `PATH`.
pub fn find_in_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}
