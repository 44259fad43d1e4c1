//! Building the guest: the i686 kernel and Rust user programs (cargo with build-std, in its
//! own target directory), the C user programs (gcc -m32), and the kernel's symbol file.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use anyhow::{Context, bail};
use serde::Deserialize;

use super::setup::{ensure_tools, repo_command};
use super::symbols::write_symbol_file;

/// Where the guest build puts everything, relative to the repository root. A target
/// directory of its own means the nested cargo never waits for the lock of an outer
/// `cargo run`/`cargo test`.
pub const GUEST_TARGET_DIR: &str = "target/guest";
const TARGET_SPEC: &str = "kernel/i686-rintos.json";
/// The cargo profile of the guest, and of the kernel built with debug assertions.
pub const RELEASE: &str = "release";
pub const RELEASE_CHECKED: &str = "release-checked";

/// A user program, as the guest build makes it: `binary` is the file name of the ELF.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Program {
    pub language: Language,
    pub binary: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    Rust,
    C,
}

/// The built guest.
#[derive(Debug, Clone)]
pub struct GuestArtifacts {
    /// The kernel ELF (booted with QEMU `-kernel`).
    pub kernel: PathBuf,
    /// The kernel's symbol file (QEMU `-initrd`), see [`super::symbols`].
    pub symbols: PathBuf,
    /// Every Rust user program: bin name → ELF.
    pub rust_programs: BTreeMap<String, PathBuf>,
    /// Where the C user programs are built, one ELF per program.
    pub c_program_dir: PathBuf,
}

impl GuestArtifacts {
    /// The host path of a test's program.
    pub fn resolve(&self, program: &Program) -> PathBuf {
        match program.language {
            // Cargo puts every bin of the guest build next to the kernel.
            Language::Rust => self.kernel.with_file_name(&program.binary),
            Language::C => self.c_program_dir.join(&program.binary),
        }
    }
}

/// Builds the guest once per process (later calls return the first result).
pub fn guest_artifacts(repo_root: &Path) -> anyhow::Result<GuestArtifacts> {
    static BUILT: OnceLock<Result<GuestArtifacts, String>> = OnceLock::new();
    BUILT
        .get_or_init(|| build(repo_root).map_err(|error| format!("{error:#}")))
        .clone()
        .map_err(anyhow::Error::msg)
}

fn build(repo_root: &Path) -> anyhow::Result<GuestArtifacts> {
    ensure_tools(repo_root)?;
    let executables = cargo_build(repo_root, RELEASE, &guest_packages(repo_root)?)?;
    let kernel_manifest = repo_root.join("kernel/Cargo.toml");
    let mut kernel = None;
    let mut rust_programs = BTreeMap::new();
    for (manifest, name, path) in executables {
        if manifest == kernel_manifest {
            if name == "kernel" {
                kernel = Some(path);
            }
        } else {
            rust_programs.insert(name, path);
        }
    }
    let kernel = kernel.context("the guest build produced no kernel")?;
    let symbols = repo_root.join(GUEST_TARGET_DIR).join("kernel.sym");
    write_symbol_file(&kernel, &symbols)?;
    let c_program_dir = repo_root.join(GUEST_TARGET_DIR).join("c");
    std::fs::create_dir_all(&c_program_dir)?;
    crate::cbuild::build_c_programs(repo_root, &c_program_dir)
        .context("building the C user programs")?;
    Ok(GuestArtifacts {
        kernel,
        symbols,
        rust_programs,
        c_program_dir,
    })
}

/// The kernel built with debug assertions (cargo profile `release-checked`), which checks
/// the lock order (`kernel/src/sync/order.rs`), and its symbol file; built once per process.
pub fn checked_kernel(repo_root: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    static BUILT: OnceLock<Result<(PathBuf, PathBuf), String>> = OnceLock::new();
    BUILT
        .get_or_init(|| build_checked_kernel(repo_root).map_err(|error| format!("{error:#}")))
        .clone()
        .map_err(anyhow::Error::msg)
}

fn build_checked_kernel(repo_root: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    ensure_tools(repo_root)?;
    let executables = cargo_build(repo_root, RELEASE_CHECKED, &["rintos-kernel".to_string()])?;
    let kernel = executables
        .into_iter()
        .find_map(|(_, name, path)| (name == "kernel").then_some(path))
        .context("the checked guest build produced no kernel")?;
    let symbols = repo_root.join(GUEST_TARGET_DIR).join("kernel-checked.sym");
    write_symbol_file(&kernel, &symbols)?;
    Ok((kernel, symbols))
}

/// `cargo SUBCOMMAND` on the guest in cargo profile `profile`, as user/README.md, "Building"
/// builds it: for the i686 target, with build-std, in the guest's target directory.
fn guest_cargo(repo_root: &Path, subcommand: &str, profile: &str) -> Command {
    let mut command = repo_command("cargo", repo_root);
    command
        .args([subcommand, "--profile", profile, "--target", TARGET_SPEC])
        .args([
            "-Zbuild-std=core,alloc",
            "-Zbuild-std-features=compiler-builtins-mem",
            "-Zjson-target-spec",
        ])
        .args(["--target-dir", GUEST_TARGET_DIR]);
    command
}

/// The guest build in cargo profile `profile`, reporting artifacts as JSON on stdout while
/// diagnostics still reach the terminal on stderr.
fn cargo_build(repo_root: &Path, profile: &str, packages: &[String]) -> anyhow::Result<Vec<(PathBuf, String, PathBuf)>> {
    let mut child = guest_cargo(repo_root, "build", profile)
        .args(packages.iter().flat_map(|package| ["-p", package.as_str()]))
        .arg("--message-format=json-render-diagnostics")
        .stdout(Stdio::piped())
        .spawn()
        .context("running cargo to build the guest")?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut executables = Vec::new();
    for line in std::io::BufReader::new(stdout).lines() {
        if let Ok(Message {
            reason,
            manifest_path,
            target,
            executable: Some(executable),
        }) = serde_json::from_str(&line?)
            && reason == "compiler-artifact"
        {
            executables.push((manifest_path, target.name, executable));
        }
    }
    let status = child.wait()?;
    if !status.success() {
        bail!("the guest build failed ({status})");
    }
    Ok(executables)
}

/// What rustc's `-Zprint-type-sizes` says of the kernel's types in cargo profile `profile`:
/// every type's size and the offsets of its fields (for the gdb helpers, see
/// `crate::gdb_layout`). A kernel already built prints nothing, so it is cleaned first; the
/// runner's next build compiles it again without the flag.
pub fn kernel_type_sizes(repo_root: &Path, profile: &str) -> anyhow::Result<String> {
    ensure_tools(repo_root)?;
    let status = guest_cargo(repo_root, "clean", profile)
        .args(["-p", "rintos-kernel"])
        .status()
        .context("running cargo clean")?;
    if !status.success() {
        bail!("cleaning the kernel failed ({status})");
    }
    let output = guest_cargo(repo_root, "rustc", profile)
        .args(["-p", "rintos-kernel", "--bin", "kernel", "--", "-Zprint-type-sizes"])
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo rustc")?;
    if !output.status.success() {
        bail!("building the kernel with -Zprint-type-sizes failed ({})", output.status);
    }
    String::from_utf8(output.stdout).context("rustc's type sizes are not UTF-8")
}

/// The guest packages: the workspace members that are not default members (the kernel and
/// the user-program packages; the default members are the host crates). Adding a package of
/// user programs to `members` is all it takes for the runner to build it.
fn guest_packages(repo_root: &Path) -> anyhow::Result<Vec<String>> {
    Ok(guest_package_metadata(repo_root)?.into_iter().map(|package| package.name).collect())
}

/// The names of every user program the guest build makes (the bins of the guest packages
/// other than the kernel's), without building anything.
pub fn user_program_names(repo_root: &Path) -> anyhow::Result<std::collections::BTreeSet<String>> {
    Ok(guest_package_metadata(repo_root)?
        .into_iter()
        .filter(|package| package.name != "rintos-kernel")
        .flat_map(|package| package.targets)
        .filter(|target| target.kind.iter().any(|kind| kind == "bin"))
        .map(|target| target.name)
        .collect())
}

#[derive(Deserialize)]
struct MetadataPackage {
    id: String,
    name: String,
    targets: Vec<MetadataTarget>,
}

#[derive(Deserialize)]
struct MetadataTarget {
    name: String,
    kind: Vec<String>,
}

fn guest_package_metadata(repo_root: &Path) -> anyhow::Result<Vec<MetadataPackage>> {
    #[derive(Deserialize)]
    struct Metadata {
        packages: Vec<MetadataPackage>,
        workspace_members: Vec<String>,
        workspace_default_members: Vec<String>,
    }
    let output = repo_command("cargo", repo_root)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo metadata")?;
    if !output.status.success() {
        bail!("cargo metadata failed ({})", output.status);
    }
    let metadata: Metadata = serde_json::from_slice(&output.stdout).context("reading cargo metadata")?;
    let guest: Vec<MetadataPackage> = metadata
        .packages
        .into_iter()
        .filter(|package| {
            metadata.workspace_members.contains(&package.id) && !metadata.workspace_default_members.contains(&package.id)
        })
        .collect();
    if guest.is_empty() {
        bail!("the workspace has no guest packages (members outside default-members)");
    }
    Ok(guest)
}

/// The fields of cargo's `compiler-artifact` message the runner needs.
#[derive(Deserialize)]
struct Message {
    reason: String,
    manifest_path: PathBuf,
    target: MessageTarget,
    executable: Option<PathBuf>,
}

#[derive(Deserialize)]
struct MessageTarget {
    name: String,
}
