//! The test suite's data and judgement: which programs each test puts on disk and runs
//! ([`Catalogue`], read from `tests/catalogue/*.toml`), how its output is judged ([`check`], the
//! rules of the classic `src/tests/tests.pm`), and the closing table with the classic grades
//! ([`report`]). Running QEMU is not done here: `tests/suite.rs` feeds
//! [`TestCase::runner_command`] to the runner and the captured output back to [`check`].

mod catalogue;
mod check;
mod expect;
mod report;

use std::path::{Path, PathBuf};

pub use check::{Verdict, check};
pub use report::report;

/// Every test of the suite, in catalogue order (file by file, then as listed in each file).
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub cases: Vec<TestCase>,
}

/// One test: what goes on the disk, what the kernel is asked to do, and how the output is judged.
#[derive(Debug, Clone)]
pub struct TestCase {
    /// The classic test directory, e.g. `"userprog"`, `"userprog/no-vm"`, `"vm"`,
    /// `"filesys/base"`; plus Rintos' own `"userprog-c"` and `"kernel"`.
    pub dir: String,
    /// The test's name, e.g. `"args-none"`; [`TestCase::id`] is `"{dir}/{name}"`.
    pub name: String,
    /// The test's own binary, put on disk under `name`; `None` for in-kernel tests.
    pub program: Option<Program>,
    /// Extra files put on disk: helper programs and data files.
    pub putfiles: Vec<PutFile>,
    /// Arguments after the program name in `run '<name> <args>'`.
    pub run_args: Option<String>,
    /// Replaces the default kernel arguments `-q -f run '<name> <args>'`.
    pub kernel_args: Option<Vec<String>>,
    /// Extra runner options, e.g. `--blank-disk=1`.
    pub runner_args: Vec<String>,
    pub timeout_secs: u64,
    pub checker: Checker,
    /// Where the test counts in the classic grading; `None` for tests in no rubric.
    pub rubric: Option<RubricPoints>,
}

/// A user program, as built by the guest build: `binary` is the file name of the ELF.
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

/// A file copied into the guest file system before the test runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutFile {
    pub guest_name: String,
    pub source: PutSource,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutSource {
    Program(Program),
    /// A data file, relative to the repository root.
    Data(PathBuf),
}

/// How a test's output is judged; each kind mirrors one classic checker (abi §3.2) or one of
/// Rintos' kernel-test rules (interfaces §A).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checker {
    /// `check_expected`: the filtered core output must equal one of `alternatives` line by line.
    Expected {
        alternatives: Vec<Vec<String>>,
        filters: Filters,
    },
    /// `check_process_death` (`src/tests/vm/process_death.pm`): the process must start and be
    /// killed.
    ProcessDeath,
    /// halt.ck: the program must start and power the machine off.
    Halt,
    /// An in-kernel test (`ktest NAME`): its core output runs from `(NAME) begin` to `(NAME) end`.
    KernelTest,
    /// A deliberately panicking kernel test: it must panic with `message`, and the runner must
    /// symbolize its call stack down to a frame whose name contains `frame`.
    KernelPanic { message: String, frame: String },
}

/// The classic options of `check_expected` that drop lines from the core output before comparing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filters {
    /// IGNORE_EXIT_CODES: drop every `name: exit(N)` line.
    pub ignore_exit_codes: bool,
    /// IGNORE_USER_FAULTS: drop the kernel's report of a page fault in user context.
    pub ignore_user_faults: bool,
}

/// A test's weight in one classic rubric file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RubricPoints {
    /// The classic rubric file, e.g. `"tests/vm/Rubric.functionality"`.
    pub rubric: String,
    pub points: u32,
}

impl Catalogue {
    /// Reads every `tests/catalogue/*.toml` under `repo_root`, in file-name order.
    pub fn load(repo_root: &Path) -> anyhow::Result<Catalogue> {
        catalogue::load(&repo_root.join("tests/catalogue"))
    }
}

impl TestCase {
    pub fn id(&self) -> String {
        format!("{}/{}", self.dir, self.name)
    }

    /// The `run` action's argument: the program name and its arguments, as one kernel argument.
    pub fn command_line(&self) -> String {
        match &self.run_args {
            Some(args) => format!("{} {}", self.name, args),
            None => self.name.clone(),
        }
    }

    /// The full runner argument list (what follows `cargo run --`): the options of the classic
    /// `make check` in the VM build, the files to put on disk (`resolve` locates a built
    /// program), then `--` and the kernel arguments. The run argument stays one element; the
    /// runner quotes it.
    pub fn runner_command(
        &self,
        resolve: &dyn Fn(&Program) -> PathBuf,
        repo_root: &Path,
    ) -> Vec<String> {
        let timeout = self.timeout_secs.to_string();
        let classic_options = [
            "-v",
            "-k",
            "-T",
            &timeout,
            "--filesys-size=2",
            "--swap-size=4",
        ];
        let mut command: Vec<String> = classic_options.map(String::from).to_vec();
        command.extend(self.runner_args.iter().cloned());
        let own_program = self
            .program
            .iter()
            .map(|program| (self.name.as_str(), resolve(program)));
        let putfiles = self.putfiles.iter().map(|file| {
            let host_path = match &file.source {
                PutSource::Program(program) => resolve(program),
                PutSource::Data(path) => repo_root.join(path),
            };
            (file.guest_name.as_str(), host_path)
        });
        for (guest_name, host_path) in own_program.chain(putfiles) {
            command.extend([
                "-p".into(),
                host_path.display().to_string(),
                "-a".into(),
                guest_name.into(),
            ]);
        }
        command.push("--".into());
        match &self.kernel_args {
            Some(kernel_args) => command.extend(kernel_args.iter().cloned()),
            None => command.extend(["-q".into(), "-f".into(), "run".into(), self.command_line()]),
        }
        command
    }
}

#[cfg(test)]
mod catalogue_contents;
