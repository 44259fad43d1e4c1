//! Kernel symbols: the symbol file the kernel reads to name the function of a panic, and the
//! host-side symbolization of the `Call stack:` lines it prints.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use object::{Object, ObjectSymbol, SymbolKind};

/// Writes the symbol file of `kernel` to `out`: one line per function, sorted by address,
/// `<start hex> <size hex> <name>`, names demangled without their `::h<hash>` suffix.
pub fn write_symbol_file(kernel: &Path, out: &Path) -> anyhow::Result<()> {
    let elf = std::fs::read(kernel).with_context(|| format!("{}: read", kernel.display()))?;
    std::fs::write(out, symbol_file_text(&elf)?)
        .with_context(|| format!("{}: write", out.display()))
}

fn symbol_file_text(elf: &[u8]) -> anyhow::Result<String> {
    let file = object::File::parse(elf).context("the kernel is not an ELF file")?;
    let mut functions: Vec<(u64, u64, String)> = file
        .symbols()
        .filter(|symbol| symbol.kind() == SymbolKind::Text && symbol.size() > 0)
        .filter_map(|symbol| {
            Some((
                symbol.address(),
                symbol.size(),
                demangle(symbol.name().ok()?),
            ))
        })
        .collect();
    functions.sort();
    functions.dedup_by_key(|(address, ..)| *address);
    let mut text = String::new();
    for (address, size, name) in functions {
        writeln!(text, "{address:x} {size:x} {name}").expect("writing to a String");
    }
    Ok(text)
}

fn demangle(name: &str) -> String {
    format!("{:#}", rustc_demangle::demangle(name))
}

/// The addresses of a `Call stack: 0x... 0x... .` line, or `None` for any other line.
pub fn call_stack_addresses(line: &str) -> Option<Vec<u64>> {
    let rest = line.trim_end().strip_prefix("Call stack:")?;
    Some(
        rest.split_whitespace()
            .filter_map(|word| word.strip_prefix("0x"))
            .filter_map(|hex| u64::from_str_radix(hex, 16).ok())
            .collect(),
    )
}

/// Turns kernel return addresses into function names and source lines, from the kernel
/// ELF's debug information.
pub struct Symbolizer {
    loader: addr2line::Loader,
    repo_root: PathBuf,
}

impl Symbolizer {
    pub fn new(kernel: &Path, repo_root: &Path) -> anyhow::Result<Symbolizer> {
        let loader = addr2line::Loader::new(kernel)
            .map_err(|error| anyhow::anyhow!("{}: {error}", kernel.display()))?;
        Ok(Symbolizer {
            loader,
            repo_root: repo_root.to_path_buf(),
        })
    }

    /// `  0x<addr> in <function> at <file>:<line>` for the return address `address`.
    ///
    /// The function is named from the symbol table, which has full paths
    /// (`kernel::selftest::panic::nested`); the kernel's line-tables-only debug information
    /// names functions without their module. The line is the innermost (possibly inlined)
    /// source line at the call.
    pub fn describe(&self, address: u64) -> String {
        // A return address points after the call; the call itself is the byte before.
        let probe = address.saturating_sub(1);
        let mut dwarf_name = None;
        let mut location = None;
        if let Ok(mut frames) = self.loader.find_frames(probe)
            && let Ok(Some(frame)) = frames.next()
        {
            dwarf_name = frame
                .function
                .and_then(|name| name.raw_name().ok().map(|raw| demangle(&raw)));
            location = frame
                .location
                .and_then(|loc| Some((loc.file?.to_string(), loc.line?)));
        }
        let function = self
            .loader
            .find_symbol(probe)
            .map(demangle)
            .or(dwarf_name)
            .unwrap_or_else(|| "??".into());
        let mut text = format!("  {address:#x} in {function}");
        if let Some((file, line)) = location {
            let file = Path::new(&file)
                .strip_prefix(&self.repo_root)
                .map(Path::to_string_lossy)
                .unwrap_or(Cow::Borrowed(&file));
            write!(text, " at {file}:{line}").expect("writing to a String");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_stack_lines_are_recognised() {
        assert_eq!(
            call_stack_addresses("Call stack: 0xc0101234 0xc0100abc ."),
            Some(vec![0xc010_1234, 0xc010_0abc])
        );
        assert_eq!(call_stack_addresses("Call stack: ."), Some(vec![]));
        assert_eq!(call_stack_addresses("(test) Call stack: 0x1"), None);
        assert_eq!(call_stack_addresses("Kernel PANIC at x"), None);
    }

    #[test]
    fn names_lose_their_hash() {
        assert_eq!(
            demangle("_ZN6kernel8selftest5panic17h0123456789abcdefE"),
            "kernel::selftest::panic"
        );
        assert_eq!(demangle("kernel_entry"), "kernel_entry");
    }

    #[test]
    fn the_symbol_file_of_this_test_binary_is_sorted_and_demangled() {
        let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let text = symbol_file_text(&me).unwrap();
        let rows: Vec<(u64, &str)> = text
            .lines()
            .map(|line| {
                let mut fields = line.splitn(3, ' ');
                let address = u64::from_str_radix(fields.next().unwrap(), 16).unwrap();
                u64::from_str_radix(fields.next().unwrap(), 16).unwrap();
                (address, fields.next().unwrap())
            })
            .collect();
        assert!(rows.windows(2).all(|pair| pair[0].0 < pair[1].0));
        assert!(
            rows.iter()
                .any(|(_, name)| name.ends_with("names_lose_their_hash"))
        );
        assert!(
            rows.iter()
                .all(|(_, name)| !name.contains("::h") || !name.ends_with('E'))
        );
    }

    #[test]
    fn this_test_binary_symbolizes_its_own_functions() {
        let me = std::env::current_exe().unwrap();
        let text = symbol_file_text(&std::fs::read(&me).unwrap()).unwrap();
        let line = text
            .lines()
            .find(|line| line.ends_with("::this_test_binary_symbolizes_its_own_functions"))
            .unwrap();
        let start = u64::from_str_radix(line.split(' ').next().unwrap(), 16).unwrap();
        let symbolizer = Symbolizer::new(&me, Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
        // As if this function had called something from its second byte.
        let described = symbolizer.describe(start + 2);
        assert!(
            described.starts_with(&format!("  {:#x} in ", start + 2)),
            "{described}"
        );
        assert!(
            described.contains("this_test_binary_symbolizes_its_own_functions"),
            "{described}"
        );
        assert!(
            described.contains(" at tools/src/runner/symbols.rs:"),
            "{described}"
        );
    }
}
