//! Building the C user programs (`user/c/`) with the host's `gcc -m32`, and checking that a
//! user executable, C or Rust, has the layout a Pintos loader expects.
//!
//! The C programs are C twins of a few Rust test programs: they show that Rintos runs
//! programs built the classic way, with gcc and the classic system-call stubs. Each file in
//! `user/c/classic/` becomes one program; `user/c/lib/` is linked into all of them (its
//! `test-main.c` only into programs that define `test_main()` rather than `main()`).
//! Everything is linked with the Rust programs' script, `user/user.ld`.
//!
//! The system-call numbers and the sample text are not copied into C sources: the build
//! generates `syscall-nr.h` from `rintos-abi` and `sample.h` from
//! `user/data/userprog/sample.txt`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail, ensure};
use object::elf;
use object::read::elf::{ElfFile32, FileHeader, ProgramHeader};
use object::{Endianness, Object, ObjectSymbol};
use rintos_abi::{PAGE_SIZE, PHYS_BASE, USER_CODE_BASE, nr};

/// Flags for compiling: a freestanding 32-bit program without floating point, stack
/// protector or position independence, like the classic Pintos user programs.
const COMPILE_FLAGS: &[&str] = &[
    "-m32",
    "-ffreestanding",
    "-fno-pic",
    "-fno-pie",
    "-fno-stack-protector",
    "-msoft-float",
    "-mno-sse",
    "-fno-asynchronous-unwind-tables",
    "-O1",
    "-Wall",
    "-Wextra",
];

/// Flags for linking: static, no C library, no start files.
const LINK_FLAGS: &[&str] = &[
    "-m32",
    "-nostdlib",
    "-static",
    "-no-pie",
    "-Wl,--build-id=none",
];

/// Compiles every program in `user/c/classic/` into `out_dir/<name>` (intermediate files go
/// to `out_dir/build/`) and returns the paths of the executables, sorted by name.
///
/// Fails with a message naming the package to install when `gcc -m32` cannot build
/// 32-bit programs.
pub fn build_c_programs(repo_root: &Path, out_dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let c_dir = repo_root.join("user/c");
    let linker_script = repo_root.join("user/user.ld");
    let build_dir = out_dir.join("build");
    let generated_include = build_dir.join("include");
    std::fs::create_dir_all(&generated_include)
        .with_context(|| format!("creating {}", generated_include.display()))?;
    write_generated_headers(repo_root, &generated_include)?;
    check_gcc_builds_32_bit(&build_dir)?;

    let include_flags = [
        format!("-I{}", c_dir.join("include").display()),
        format!("-I{}", generated_include.display()),
    ];
    let compile = |source: &Path, object: &Path| -> anyhow::Result<()> {
        run_gcc(
            Command::new("gcc")
                .args(COMPILE_FLAGS)
                .args(&include_flags)
                .arg("-c")
                .arg(source)
                .arg("-o")
                .arg(object),
        )
    };

    let mut library = Vec::new();
    let mut test_main_object = None;
    for source in c_sources(&c_dir.join("lib"))? {
        let object = build_dir.join(object_name(&source)?);
        compile(&source, &object)?;
        if source.file_stem().is_some_and(|stem| stem == "test-main") {
            test_main_object = Some(object);
        } else {
            library.push(object);
        }
    }
    let test_main_object =
        test_main_object.context("user/c/lib/test-main.c (Pintos' src/tests/main.c) is missing")?;

    let mut programs = Vec::new();
    for source in c_sources(&c_dir.join("classic"))? {
        let name = source
            .file_stem()
            .and_then(|stem| stem.to_str())
            .context("a C program needs a UTF-8 file name")?
            .to_string();
        let object = build_dir.join(object_name(&source)?);
        compile(&source, &object)?;
        let mut objects = vec![object.clone()];
        if !defines_symbol(&object, "main")? {
            objects.push(test_main_object.clone());
        }
        objects.extend(library.iter().cloned());

        let executable = out_dir.join(&name);
        run_gcc(
            Command::new("gcc")
                .args(LINK_FLAGS)
                .arg("-T")
                .arg(&linker_script)
                .args(&objects)
                .arg("-o")
                .arg(&executable),
        )?;
        let bytes = std::fs::read(&executable)?;
        check_user_executable(&bytes)
            .with_context(|| format!("{} is not a valid user program", executable.display()))?;
        programs.push(executable);
    }
    Ok(programs)
}

/// `syscall-nr.h` (the call numbers of `rintos-abi`) and `sample.h` (the userprog sample
/// text as a `char sample[]` whose `sizeof` counts a final NUL, as in the classic tests).
fn write_generated_headers(repo_root: &Path, include_dir: &Path) -> anyhow::Result<()> {
    const NUMBERS: &[(&str, u32)] = &[
        ("SYS_HALT", nr::HALT),
        ("SYS_EXIT", nr::EXIT),
        ("SYS_EXEC", nr::EXEC),
        ("SYS_WAIT", nr::WAIT),
        ("SYS_CREATE", nr::CREATE),
        ("SYS_REMOVE", nr::REMOVE),
        ("SYS_OPEN", nr::OPEN),
        ("SYS_FILESIZE", nr::FILESIZE),
        ("SYS_READ", nr::READ),
        ("SYS_WRITE", nr::WRITE),
        ("SYS_SEEK", nr::SEEK),
        ("SYS_TELL", nr::TELL),
        ("SYS_CLOSE", nr::CLOSE),
        ("SYS_MMAP", nr::MMAP),
        ("SYS_MUNMAP", nr::MUNMAP),
        ("SYS_CHDIR", nr::CHDIR),
        ("SYS_MKDIR", nr::MKDIR),
        ("SYS_READDIR", nr::READDIR),
        ("SYS_ISDIR", nr::ISDIR),
        ("SYS_INUMBER", nr::INUMBER),
    ];
    let mut numbers = String::from(
        "/* Generated by tools/src/cbuild.rs from kernel/crates/abi: do not edit. */\n\
         #ifndef RINTOS_SYSCALL_NR_H\n#define RINTOS_SYSCALL_NR_H\n",
    );
    for (name, number) in NUMBERS {
        writeln!(numbers, "#define {name} {number}")?;
    }
    numbers.push_str("#endif\n");
    std::fs::write(include_dir.join("syscall-nr.h"), numbers)?;

    let sample_path = repo_root.join("user/data/userprog/sample.txt");
    let sample = std::fs::read(&sample_path)
        .with_context(|| format!("reading {}", sample_path.display()))?;
    let mut header = String::from(
        "/* Generated by tools/src/cbuild.rs from user/data/userprog/sample.txt. */\n\
         static const char sample[] = {",
    );
    for (index, byte) in sample.iter().chain(&[0]).enumerate() {
        let separator = if index % 16 == 0 { "\n  " } else { " " };
        write!(header, "{separator}{byte},")?;
    }
    header.push_str("\n};\n");
    std::fs::write(include_dir.join("sample.h"), header)?;
    Ok(())
}

/// Links an empty program the way the real ones are linked, to turn a missing 32-bit
/// toolchain into an error that says what to install.
fn check_gcc_builds_32_bit(build_dir: &Path) -> anyhow::Result<()> {
    let source = build_dir.join("probe.c");
    std::fs::write(&source, "void _start (void) { for (;;) continue; }\n")?;
    let output = Command::new("gcc")
        .args(COMPILE_FLAGS)
        .args(LINK_FLAGS)
        .arg(&source)
        .arg("-o")
        .arg(build_dir.join("probe"))
        .output();
    match output {
        Err(error) => bail!(
            "cannot run gcc ({error}): the C user programs need gcc with 32-bit support; \
             install the Debian packages gcc and gcc-multilib"
        ),
        Ok(output) if !output.status.success() => bail!(
            "gcc -m32 cannot build 32-bit programs; install the Debian package gcc-multilib \
             (apt-get install gcc-multilib):\n{}",
            String::from_utf8_lossy(&output.stderr).trim()
        ),
        Ok(_) => Ok(()),
    }
}

/// The `.c` files directly in `dir`, sorted.
fn c_sources(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut sources = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|extension| extension == "c") {
            sources.push(path);
        }
    }
    sources.sort();
    Ok(sources)
}

/// `lib/format.c` → `lib-format.o`, so that library and program objects never collide.
fn object_name(source: &Path) -> anyhow::Result<String> {
    let directory = source
        .parent()
        .and_then(Path::file_name)
        .context("a C source lies in a directory")?;
    let stem = source.file_stem().context("a C source has a name")?;
    Ok(format!(
        "{}-{}.o",
        directory.to_string_lossy(),
        stem.to_string_lossy()
    ))
}

fn run_gcc(command: &mut Command) -> anyhow::Result<()> {
    let output = command
        .output()
        .with_context(|| format!("running {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed:\n{}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    // Warnings are not fatal (another gcc may warn differently), but are shown.
    let warnings = String::from_utf8_lossy(&output.stderr);
    if !warnings.trim().is_empty() {
        eprintln!("{}", warnings.trim());
    }
    Ok(())
}

/// Whether object file `path` defines the global symbol `name`.
fn defines_symbol(path: &Path, name: &str) -> anyhow::Result<bool> {
    let bytes = std::fs::read(path)?;
    let file =
        object::File::parse(&*bytes).with_context(|| format!("parsing {}", path.display()))?;
    Ok(file
        .symbols()
        .any(|symbol| symbol.is_definition() && symbol.is_global() && symbol.name() == Ok(name)))
}

/// What [`check_user_executable`] found out about a valid user program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserExecutable {
    /// The entry point (`_start`).
    pub entry: u32,
    /// The loadable segments, in file order.
    pub segments: Vec<LoadSegment>,
}

/// One PT_LOAD program header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadSegment {
    pub vaddr: u32,
    pub memsz: u32,
    pub filesz: u32,
    pub offset: u32,
    pub writable: bool,
    pub executable: bool,
}

impl LoadSegment {
    /// The first address after the segment.
    pub fn end(&self) -> u32 {
        self.vaddr + self.memsz
    }

    fn pages(&self) -> std::ops::Range<u32> {
        let page = PAGE_SIZE as u32;
        self.vaddr / page..self.end().div_ceil(page)
    }
}

impl UserExecutable {
    /// The first address after the data segment: the end of `.bss`. Nothing may be
    /// mapped in the page after the one holding the byte before it.
    pub fn end_of_data(&self) -> u32 {
        self.segments
            .iter()
            .map(LoadSegment::end)
            .max()
            .unwrap_or(0)
    }
}

/// Checks that `bytes` is a program the Pintos loader accepts and that has the classic
/// layout (docs/abi.md, "Where a program lives in memory" and "What the loader accepts"): a
/// static ELF32 i386 executable whose first PT_LOAD is at
/// 0x08048000, with no PT_INTERP, PT_DYNAMIC or PT_SHLIB, every segment below PHYS_BASE
/// with matching file and memory offsets within a page, writable segments on pages of
/// their own, the entry point on `_start` in executable code, and (where the program has
/// one) the boundary-test area as the very last thing in memory.
pub fn check_user_executable(bytes: &[u8]) -> anyhow::Result<UserExecutable> {
    let file = ElfFile32::<Endianness>::parse(bytes)
        .context("not a 32-bit ELF file (the Pintos loader only takes ELF32)")?;
    let header = file.elf_header();
    let endian = file.endian();
    ensure!(
        header.e_ident().data == elf::ELFDATA2LSB,
        "not little-endian"
    );
    ensure!(
        header.e_type(endian) == elf::ET_EXEC,
        "not an executable (ET_EXEC)"
    );
    ensure!(
        header.e_machine(endian) == elf::EM_386,
        "not for i386 (EM_386)"
    );
    ensure!(
        usize::from(header.e_phentsize(endian)) == size_of::<elf::ProgramHeader32<Endianness>>(),
        "program headers are not 32 bytes"
    );

    let mut segments = Vec::new();
    for program_header in file.elf_program_headers() {
        let kind = program_header.p_type(endian);
        ensure!(
            !matches!(kind, elf::PT_INTERP | elf::PT_DYNAMIC | elf::PT_SHLIB),
            "has a program header of type {kind} (dynamic linking), which the loader rejects"
        );
        if kind != elf::PT_LOAD {
            continue;
        }
        let flags = program_header.p_flags(endian);
        let segment = LoadSegment {
            vaddr: program_header.p_vaddr(endian),
            memsz: program_header.p_memsz(endian),
            filesz: program_header.p_filesz(endian),
            offset: program_header.p_offset(endian),
            writable: flags & elf::PF_W != 0,
            executable: flags & elf::PF_X != 0,
        };
        check_segment(&segment, bytes.len())?;
        segments.push(segment);
    }
    let first = segments.first().context("has no PT_LOAD segment")?;
    ensure!(
        first.vaddr == USER_CODE_BASE,
        "the first segment is at {:#x}, not {USER_CODE_BASE:#x}",
        first.vaddr
    );

    for writable in segments.iter().filter(|segment| segment.writable) {
        for other in segments.iter().filter(|segment| !segment.writable) {
            let shared = writable.pages().start.max(other.pages().start)
                < writable.pages().end.min(other.pages().end);
            ensure!(
                !shared,
                "writable segment at {:#x} shares a page with read-only segment at {:#x}",
                writable.vaddr,
                other.vaddr
            );
        }
    }

    let entry = header.e_entry(endian);
    let start = symbol_address(&file, "_start").context("has no _start symbol")?;
    ensure!(
        entry == start,
        "the entry point {entry:#x} is not _start ({start:#x})"
    );
    ensure!(
        segments
            .iter()
            .any(|segment| segment.executable && (segment.vaddr..segment.end()).contains(&entry)),
        "the entry point {entry:#x} is not in an executable segment"
    );

    let executable = UserExecutable { entry, segments };
    if let Some(area) = symbol_address(&file, "rintos_boundary_area") {
        let area_end = area + 8192;
        ensure!(
            area_end == executable.end_of_data(),
            "the boundary-test area ends at {area_end:#x}, but memory goes on to {:#x}",
            executable.end_of_data()
        );
    }
    Ok(executable)
}

fn check_segment(segment: &LoadSegment, file_len: usize) -> anyhow::Result<()> {
    let page = PAGE_SIZE as u32;
    ensure!(
        segment.offset % page == segment.vaddr % page,
        "segment at {:#x} has file offset {:#x}: not the same offset within a page",
        segment.vaddr,
        segment.offset
    );
    ensure!(
        u64::from(segment.offset) + u64::from(segment.filesz) <= file_len as u64,
        "segment at {:#x} extends past the end of the file",
        segment.vaddr
    );
    ensure!(
        segment.memsz >= segment.filesz && segment.memsz != 0,
        "segment at {:#x} has memsz {:#x} < filesz {:#x} or is empty",
        segment.vaddr,
        segment.memsz,
        segment.filesz
    );
    ensure!(
        segment.vaddr >= page
            && segment
                .vaddr
                .checked_add(segment.memsz)
                .is_some_and(|end| end <= PHYS_BASE),
        "segment at {:#x} (+{:#x}) is not within user memory",
        segment.vaddr,
        segment.memsz
    );
    Ok(())
}

fn symbol_address(file: &ElfFile32<Endianness>, name: &str) -> Option<u32> {
    file.symbols()
        .find(|symbol| symbol.is_definition() && symbol.name() == Ok(name))
        .map(|symbol| symbol.address() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_root() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
    }

    #[test]
    fn builds_every_c_program_as_a_pintos_executable() {
        let out_dir = tempfile::tempdir().unwrap();
        let programs = build_c_programs(repo_root(), out_dir.path()).unwrap();

        let names: Vec<_> = programs
            .iter()
            .map(|path| path.file_name().unwrap().to_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "args",
                "child-simple",
                "exec-once",
                "read-normal",
                "sc-bad-arg",
                "wait-twice",
                "write-normal"
            ]
        );
        for program in &programs {
            assert_eq!(program.parent(), Some(out_dir.path()));
            let bytes = std::fs::read(program).unwrap();
            let layout = check_user_executable(&bytes).unwrap();
            assert_eq!(
                layout.segments[0].vaddr,
                USER_CODE_BASE,
                "{}",
                program.display()
            );
            assert!(layout.segments[0].executable && !layout.segments[0].writable);
        }
    }

    #[test]
    fn generated_headers_carry_the_abi_numbers_and_the_sample_text() {
        let dir = tempfile::tempdir().unwrap();
        write_generated_headers(repo_root(), dir.path()).unwrap();

        let numbers = std::fs::read_to_string(dir.path().join("syscall-nr.h")).unwrap();
        assert!(numbers.contains("#define SYS_EXIT 1\n"));
        assert!(numbers.contains(&format!("#define SYS_READDIR {}\n", nr::READDIR)));

        let sample = std::fs::read(repo_root().join("user/data/userprog/sample.txt")).unwrap();
        let header = std::fs::read_to_string(dir.path().join("sample.h")).unwrap();
        let values: Vec<u8> = header
            .split(['{', '}'])
            .nth(1)
            .unwrap()
            .split(',')
            .filter_map(|value| value.trim().parse().ok())
            .collect();
        assert_eq!(values.len(), sample.len() + 1, "the text and a NUL");
        assert_eq!(&values[..sample.len()], &sample[..]);
        assert_eq!(values[sample.len()], 0);
    }

    #[test]
    fn rejects_a_64_bit_host_program() {
        let host_program = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let error = check_user_executable(&host_program).unwrap_err();
        assert!(format!("{error:#}").contains("32-bit"), "{error:#}");
    }

    #[test]
    fn rejects_a_program_linked_at_another_address() {
        let out_dir = tempfile::tempdir().unwrap();
        let programs = build_c_programs(repo_root(), out_dir.path()).unwrap();
        // Relink child-simple's objects at 0x10000000 with gcc's default script.
        let build = out_dir.path().join("build");
        let relinked = out_dir.path().join("elsewhere");
        run_gcc(
            Command::new("gcc")
                .args(LINK_FLAGS)
                .arg("-Wl,-Ttext-segment=0x10000000")
                .arg(build.join("classic-child-simple.o"))
                .args(
                    ["entry", "format", "string", "syscall", "test"]
                        .map(|name| build.join(format!("lib-{name}.o"))),
                )
                .arg("-o")
                .arg(&relinked),
        )
        .unwrap();
        assert!(
            programs
                .iter()
                .any(|program| program.ends_with("child-simple"))
        );
        let error = check_user_executable(&std::fs::read(&relinked).unwrap()).unwrap_err();
        assert!(format!("{error:#}").contains("0x8048000"), "{error:#}");
    }
}
