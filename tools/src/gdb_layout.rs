//! `cargo run -- gdb-layout`: rewrites `tools/gdb/layout.json`, the layouts of the kernel's
//! types that Rintos' gdb helpers read (`tools/gdb/rintos.py`). The kernel is built with line
//! tables only, so gdb knows none of its types; the compiler tells their layouts instead
//! (rustc's `-Zprint-type-sizes`), for both kernels the runner boots: the release one and the
//! one with debug assertions (`--lock-checks`), whose spinlocks are larger. Run it after
//! changing one of [`TYPES`]: the gdb test (`tests/gdb.rs`) fails until then.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use serde::Serialize;

use crate::runner::{self, RELEASE, RELEASE_CHECKED, kernel_type_sizes};

/// The file the helpers read, from the repository root.
pub const LAYOUT_FILE: &str = "tools/gdb/layout.json";

/// The types the helpers read, as `-Zprint-type-sizes` names them (no crate name for the
/// kernel's own). Generic containers appear once for all their instances of one-word
/// elements, which are laid out alike (rintos.py says which).
const TYPES: &[&str] = &[
    "arch::percpu::CpuLocal",
    "arch::idt::InterruptFrame",
    "arch::paging::PageDirectory",
    "threads::scheduler::Scheduler",
    "threads::scheduler::Cpu",
    "threads::thread::Thread",
    "threads::thread::Stack",
    "userprog::Process",
    "vm::page::AddressSpace",
    "vm::page::Page",
    "vm::frame::FrameTable",
    "vm::frame::FrameState",
    "vm::frame::User",
    "sync::spin::SpinLock<threads::scheduler::Scheduler>",
    "spin::mutex::SpinMutex<threads::scheduler::Scheduler>",
    "sync::spin::SpinLock<alloc::collections::BTreeMap<u32, alloc::sync::Arc<userprog::Process>>>",
    "spin::mutex::SpinMutex<alloc::collections::BTreeMap<u32, alloc::sync::Arc<userprog::Process>>>",
    "sync::spin::SpinLock<alloc::collections::BTreeMap<usize, alloc::sync::Arc<vm::page::Page>>>",
    "spin::mutex::SpinMutex<alloc::collections::BTreeMap<usize, alloc::sync::Arc<vm::page::Page>>>",
    "sync::spin::SpinLock<vm::frame::FrameState>",
    "spin::mutex::SpinMutex<vm::frame::FrameState>",
    "conquer_once::doc::OnceCell<vm::frame::FrameTable, conquer_once::spin::internal::Spin>",
    "alloc::sync::ArcInner<threads::thread::Thread>",
    "alloc::sync::ArcInner<userprog::Process>",
    "alloc::sync::ArcInner<vm::page::AddressSpace>",
    "alloc::sync::ArcInner<arch::paging::PageDirectory>",
    "alloc::sync::ArcInner<vm::page::Page>",
    "alloc::string::String",
    "alloc::vec::Vec<u8>",
    "alloc::raw_vec::RawVec<alloc::sync::Arc<threads::thread::Thread>>",
    "alloc::raw_vec::RawVecInner",
    "alloc::collections::VecDeque<alloc::sync::Arc<threads::thread::Thread>>",
    "alloc::collections::BTreeMap<u32, alloc::sync::Arc<threads::thread::Thread>>",
    "alloc::collections::btree::node::NodeRef<alloc::collections::btree::node::marker::Owned, u32, alloc::sync::Arc<threads::thread::Thread>, alloc::collections::btree::node::marker::LeafOrInternal>",
    "alloc::collections::btree::node::LeafNode<u32, alloc::sync::Arc<threads::thread::Thread>>",
    "alloc::collections::btree::node::InternalNode<u32, alloc::sync::Arc<threads::thread::Thread>>",
];

/// One type: its size, and the offset of each field (`variant.field` in an enum).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypeLayout {
    pub size: u32,
    pub fields: BTreeMap<String, u32>,
}

#[derive(Serialize)]
struct LayoutFile {
    generated_by: &'static str,
    /// Cargo profile → type → layout.
    profiles: BTreeMap<&'static str, BTreeMap<String, TypeLayout>>,
}

/// `cargo run -- gdb-layout`.
pub fn main(args: &[String]) -> ExitCode {
    if !args.is_empty() {
        eprintln!("Usage: cargo run -- gdb-layout   (rewrites {LAYOUT_FILE}; takes no arguments)");
        return ExitCode::FAILURE;
    }
    match write_layouts(&runner::repo_root()) {
        Ok(file) => {
            println!("Wrote {}", file.display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("gdb-layout: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn write_layouts(repo_root: &Path) -> anyhow::Result<PathBuf> {
    let mut profiles = BTreeMap::new();
    for profile in [RELEASE, RELEASE_CHECKED] {
        let layouts = parse(&kernel_type_sizes(repo_root, profile)?);
        profiles.insert(
            profile,
            select(&layouts).with_context(|| format!("profile {profile}"))?,
        );
    }
    let file = repo_root.join(LAYOUT_FILE);
    let contents = LayoutFile {
        generated_by: "cargo run -- gdb-layout (tools/src/gdb_layout.rs), from rustc -Zprint-type-sizes",
        profiles,
    };
    std::fs::write(&file, serde_json::to_string_pretty(&contents)? + "\n")
        .with_context(|| format!("writing {}", file.display()))?;
    Ok(file)
}

/// The layouts of [`TYPES`].
fn select(layouts: &BTreeMap<String, TypeLayout>) -> anyhow::Result<BTreeMap<String, TypeLayout>> {
    let missing: Vec<&str> = TYPES
        .iter()
        .copied()
        .filter(|name| !layouts.contains_key(*name))
        .collect();
    if !missing.is_empty() {
        bail!(
            "rustc printed no layout of {missing:?}: the kernel no longer uses them, or names them otherwise"
        );
    }
    Ok(TYPES
        .iter()
        .map(|name| (name.to_string(), layouts[*name].clone()))
        .collect())
}

/// Every type of `-Zprint-type-sizes` output. It lists a type's fields in memory order with
/// their sizes and the padding between them; an enum's variants each start after the
/// discriminant (right at the start when the variant is kept in a niche instead), and a
/// field may give its offset outright.
pub fn parse(output: &str) -> BTreeMap<String, TypeLayout> {
    let mut layouts = BTreeMap::new();
    let mut current: Option<(String, TypeLayout)> = None;
    let (mut offset, mut discriminant, mut variant) = (0, 0, None::<String>);
    for line in output.lines() {
        let Some(item) = line.strip_prefix("print-type-size").map(str::trim_start) else {
            continue;
        };
        if let Some((name, size)) = item
            .strip_prefix("type: `")
            .and_then(|rest| rest.split_once("`: "))
        {
            layouts.extend(current.take());
            current = Some((
                name.to_string(),
                TypeLayout {
                    size: bytes(size),
                    fields: BTreeMap::new(),
                },
            ));
            (offset, discriminant, variant) = (0, 0, None);
        } else if let Some(size) = item.strip_prefix("discriminant: ") {
            discriminant = bytes(size);
            offset = discriminant;
        } else if let Some(name) = item
            .strip_prefix("variant `")
            .and_then(|rest| rest.split_once('`'))
        {
            variant = Some(name.0.to_string());
            offset = discriminant;
        } else if let Some(size) = item
            .strip_prefix("padding: ")
            .or_else(|| item.strip_prefix("end padding: "))
        {
            offset += bytes(size);
        } else if let Some((name, rest)) = item
            .strip_prefix("field `.")
            .and_then(|rest| rest.split_once("`: "))
            && let Some((_, layout)) = &mut current
        {
            if let Some(given) = rest
                .split(", ")
                .find_map(|part| part.strip_prefix("offset: "))
            {
                offset = bytes(given);
            }
            let name = match &variant {
                Some(variant) => format!("{variant}.{name}"),
                None => name.to_string(),
            };
            layout.fields.insert(name, offset);
            offset += bytes(rest);
        }
    }
    layouts.extend(current);
    layouts
}

/// The number in `N bytes...`.
fn bytes(text: &str) -> u32 {
    text.split_whitespace()
        .next()
        .and_then(|number| number.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Abridged from the kernel's: a struct the compiler reordered, an enum with a
    /// discriminant, and one whose variant lives in a niche of another's field.
    const OUTPUT: &str = "\
print-type-size type: `threads::thread::Thread`: 20 bytes, alignment: 4 bytes
print-type-size     field `.stack`: 12 bytes
print-type-size     field `.tid`: 4 bytes
print-type-size     field `.status`: 1 bytes
print-type-size     end padding: 3 bytes
print-type-size type: `threads::thread::Stack`: 12 bytes, alignment: 4 bytes
print-type-size     discriminant: 4 bytes
print-type-size     variant `Boot`: 8 bytes
print-type-size         field `.bottom`: 4 bytes
print-type-size         field `.top`: 4 bytes
print-type-size     variant `Pages`: 4 bytes
print-type-size         field `.bottom`: 4 bytes
print-type-size type: `vm::frame::FrameState`: 36 bytes, alignment: 4 bytes
print-type-size     variant `InUse`: 33 bytes
print-type-size         field `.share`: 16 bytes
print-type-size         field `.users`: 12 bytes
print-type-size     variant `Filling`: 8 bytes
print-type-size         padding: 4 bytes
print-type-size         field `.0`: 4 bytes, alignment: 4 bytes
print-type-size     variant `Free`: 0 bytes
print-type-size     end padding: 3 bytes
print-type-size type: `{async fn body of Disk::request()}`: 16 bytes, alignment: 4 bytes
print-type-size     variant `Unresumed`: 16 bytes
print-type-size         upvar `.self`: 4 bytes, offset: 0 bytes, alignment: 4 bytes
print-type-size         field `.late`: 4 bytes, offset: 12 bytes, alignment: 4 bytes
";

    fn fields(layout: &TypeLayout) -> Vec<(&str, u32)> {
        layout
            .fields
            .iter()
            .map(|(name, offset)| (name.as_str(), *offset))
            .collect()
    }

    #[test]
    fn fields_get_their_offsets_in_memory_order() {
        let layouts = parse(OUTPUT);
        let thread = &layouts["threads::thread::Thread"];
        assert_eq!(thread.size, 20);
        assert_eq!(fields(thread), [("stack", 0), ("status", 16), ("tid", 12)]);
        assert_eq!(
            fields(&layouts["threads::thread::Stack"]),
            [("Boot.bottom", 4), ("Boot.top", 8), ("Pages.bottom", 4)]
        );
        assert_eq!(
            fields(&layouts["vm::frame::FrameState"]),
            [("Filling.0", 4), ("InUse.share", 0), ("InUse.users", 16)]
        );
        assert_eq!(
            fields(&layouts["{async fn body of Disk::request()}"]),
            [("Unresumed.late", 12)]
        );
    }

    #[test]
    fn a_type_rustc_did_not_print_is_an_error() {
        let error = select(&parse(OUTPUT)).unwrap_err().to_string();
        assert!(error.contains("arch::percpu::CpuLocal"), "{error}");
        assert!(!error.contains("threads::thread::Thread\""), "{error}");
    }
}
