//! The kernel's layering, checked: every module of `kernel/src` may use only the modules of
//! lower layers (DESIGNDOC.md, "Layers", gives the same table and the reasons). A `use` of a
//! higher layer, or of a module this table does not know, fails the test with the file and
//! the line.
//!
//! It reads the source, not the compiler's view: a reference is any `crate::MODULE` path, and
//! the `print!`/`println!` macros, which are the console's.

use std::path::{Path, PathBuf};

/// The kernel's top-level modules, lowest layer first. Modules on one line are one layer:
/// neither uses the other.
const LAYERS: &[&[&str]] = &[
    &["arch"],
    &["sync"],
    &["console"],
    &["memory"],
    &["threads"],
    &["task"],
    &["devices"],
    &["fs", "panic"],
    &["vm"],
    &["stats"],
    &["userprog"],
    &["trap", "resources"],
    &["selftest"],
    &["init"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The top-level module a file of `kernel/src` belongs to (`vm/fault.rs` -> `vm`).
fn module_of(relative: &Path) -> String {
    let first = relative.components().next().expect("a file under kernel/src");
    first.as_os_str().to_string_lossy().trim_end_matches(".rs").to_string()
}

/// The modules a line of code refers to.
fn references(line: &str) -> Vec<String> {
    let code = line.split("//").next().unwrap_or("");
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let name: String = after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if !name.is_empty() && name != "print" && name != "println" {
            found.push(name);
        }
        rest = after;
    }
    // `use crate::{a, b::c}`: every name of the group.
    if let Some(group) = code.trim_start().strip_prefix("use crate::{") {
        for item in group.trim_end_matches("};").split(',') {
            let name: String =
                item.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if !name.is_empty() && name != "print" && name != "println" {
                found.push(name);
            }
        }
    }
    if code.contains("println!") || code.contains("print!") {
        found.push("console".to_string());
    }
    found
}

fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("kernel/src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

/// Every use of a module of another layer that the table forbids, as `file:line: message`.
fn violations(source_root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(source_root, &mut files);
    let mut found = Vec::new();
    for file in files {
        let relative = file.strip_prefix(source_root).expect("under the root");
        let module = module_of(relative);
        if module == "main" {
            continue; // the crate root only declares the modules
        }
        let Some(own_layer) = layer(&module) else {
            found.push(format!("{}: module `{module}` has no layer in tests/layers.rs", relative.display()));
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("a readable source file");
        let mut in_multiline_use = false;
        for (number, line) in text.lines().enumerate() {
            let mut names = references(line);
            // The continuation lines of a `use crate::{...}` that spans several lines.
            if in_multiline_use {
                names.extend(line.split(',').map(|item| {
                    item.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>()
                }));
                in_multiline_use = !line.contains("};");
            } else if line.trim_start().starts_with("use crate::{") && !line.contains("};") {
                in_multiline_use = true;
            }
            for name in names.into_iter().filter(|name| !name.is_empty() && *name != module) {
                match layer(&name) {
                    Some(used) if used < own_layer => {}
                    Some(_) => found.push(format!(
                        "{}:{}: `{module}` uses `{name}`, which is not below it",
                        relative.display(),
                        number + 1
                    )),
                    // Not a module of the crate (a macro, `alloc`), or one without a layer:
                    // the latter is caught at its own files.
                    None => {}
                }
            }
        }
    }
    found
}

#[test]
fn kernel_modules_use_only_lower_layers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("kernel/src");
    let found = violations(&root);
    assert!(found.is_empty(), "the kernel's layering is broken:\n{}", found.join("\n"));
}

#[test]
fn the_check_finds_an_upward_use() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::create_dir(dir.path().join("threads")).unwrap();
    std::fs::write(dir.path().join("threads/scheduler.rs"), "use crate::userprog::Process;\nuse crate::sync::SpinLock;\n")
        .unwrap();
    std::fs::write(dir.path().join("vm.rs"), "use crate::{fs, memory,\n    userprog};\nfn f() { println!(\"x\"); }\n")
        .unwrap();
    let mut found = violations(dir.path());
    found.sort();
    assert_eq!(
        found,
        [
            "threads/scheduler.rs:1: `threads` uses `userprog`, which is not below it",
            "vm.rs:2: `vm` uses `userprog`, which is not below it",
        ]
    );
}
