//! `cargo test`: no guest binary (the kernel, checked or not, and every user program) contains
//! CMPXCHG8B. QEMU's TCG as Debian 12 ships it (7.2) computes EFLAGS after that instruction
//! from lazy flag state it has not brought up to date, so an interrupt soon after one can save
//! an EFLAGS with TF, DF, IF, NT or IOPL set, and its `iret` makes them real: the kernel
//! single-stepped into a `#DB` panic, or jumped to garbage, when the executor's ready queue
//! (64-bit atomics, so CMPXCHG8B) was busy (kernel/src/arch/locked_u64.rs). The compiler
//! writes CMPXCHG8B only for 64-bit atomics, which the guest's target no longer has
//! (`max-atomic-width` in kernel/i686-rintos.json); this test also catches hand-written
//! assembly and a target that gets them back.

use std::path::{Path, PathBuf};

use iced_x86::{Decoder, DecoderOptions, Mnemonic};
use object::{Object, ObjectSection, SectionKind};

/// The addresses of the CMPXCHG8B instructions in the code sections of the ELF at `path`.
fn cmpxchg8b_in(path: &Path) -> Vec<u64> {
    let bytes = std::fs::read(path).unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
    let elf = object::File::parse(&*bytes).unwrap_or_else(|error| panic!("parsing {}: {error}", path.display()));
    let mut found = Vec::new();
    for section in elf.sections().filter(|section| section.kind() == SectionKind::Text) {
        let code = section.data().expect("a code section has its bytes in the file");
        let mut decoder = Decoder::with_ip(32, code, section.address(), DecoderOptions::NONE);
        found.extend(decoder.iter().filter(|instruction| instruction.mnemonic() == Mnemonic::Cmpxchg8b).map(|instruction| instruction.ip()));
    }
    found
}

#[test]
fn no_guest_binary_contains_cmpxchg8b() {
    let root = rintos::runner::repo_root();
    let artifacts = rintos::runner::guest_artifacts(&root).expect("the guest builds");
    let (checked_kernel, _) = rintos::runner::checked_kernel(&root).expect("the checked kernel builds");
    let mut binaries: Vec<PathBuf> = vec![artifacts.kernel.clone(), checked_kernel];
    binaries.extend(artifacts.rust_programs.values().cloned());
    let c_programs = std::fs::read_dir(&artifacts.c_program_dir).expect("the C programs are built");
    binaries.extend(c_programs.map(|entry| entry.expect("a directory entry").path()).filter(|path| path.is_file()));
    let offenders: Vec<String> = binaries
        .iter()
        .filter_map(|binary| {
            let addresses = cmpxchg8b_in(binary);
            (!addresses.is_empty()).then(|| format!("{}: {} at {:#x?}", binary.display(), addresses.len(), &addresses[..addresses.len().min(4)]))
        })
        .collect();
    assert!(binaries.len() > 2, "found no user programs to check");
    assert!(offenders.is_empty(), "CMPXCHG8B in guest code:\n{}", offenders.join("\n"));
}
