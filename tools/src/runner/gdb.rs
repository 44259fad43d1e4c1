//! `--gdb`: the gdb command file of one run. It loads the kernel's symbols, attaches to the
//! machine, which waits for gdb, and loads Rintos' gdb helpers (`tools/gdb/rintos.py`, see
//! its header) last, so that gdb is attached even if they fail to load; the runner prints
//! the `gdb -x FILE` command that runs it.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::qemu::GDB_HOST;

/// Rintos' gdb helpers, from the repository root.
pub const HELPERS: &str = "tools/gdb/rintos.py";

/// Writes the command file into `dir` (the run's temporary directory, so it goes away with
/// the machine it attaches to) and returns the command that runs it.
pub fn write_command_file(
    dir: &Path,
    kernel: &Path,
    repo_root: &Path,
    port: u16,
) -> anyhow::Result<String> {
    let file: PathBuf = dir.join("gdb-commands");
    let commands = format!(
        "file {}\ntarget remote {GDB_HOST}:{port}\nsource {}\n",
        std::path::absolute(kernel)?.display(),
        std::path::absolute(repo_root.join(HELPERS))?.display(),
    );
    std::fs::write(&file, commands).with_context(|| format!("writing {}", file.display()))?;
    Ok(crate::quote::join([
        "gdb",
        "-x",
        &file.display().to_string(),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_file_loads_the_kernel_attaches_and_loads_the_helpers() {
        let dir = tempfile::tempdir().unwrap();
        let command =
            write_command_file(dir.path(), Path::new("/k/kernel"), Path::new("/repo"), 4321)
                .unwrap();
        let file = dir.path().join("gdb-commands");
        assert_eq!(command, format!("gdb -x {}", file.display()));
        assert_eq!(
            std::fs::read_to_string(file).unwrap(),
            "file /k/kernel\ntarget remote 127.0.0.1:4321\nsource /repo/tools/gdb/rintos.py\n"
        );
    }
}
