//! The test suite's data and judgement: which programs each test puts on disk and runs
//! ([`Catalogue`], read from `tests/catalogue/*.toml`), how its output is judged ([`check`], the
//! rules of the classic `src/tests/tests.pm`), and the closing table with the classic grades
//! ([`report`]). Running QEMU is not done here: `crate::cases` gives
//! [`TestCase::runner_options`] to the runner and the captured output back to [`check`].

mod catalogue;
mod check;
mod expect;
mod report;

use std::path::{Path, PathBuf};

use crate::disk::SECTORS_PER_MB;
use crate::runner::{Options, PartitionSource, Program};

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

/// How a test's output is judged; each kind mirrors one classic checker (docs/abi.md, "How
/// the classic checkers judge a run") or one of Rintos' own rules (docs/testing.md, "How a
/// case is judged").
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

    /// The runner's options for this test: those of the classic `make check` in the VM build
    /// (`-v -k -T TIMEOUT --filesys-size=2 --swap-size=4`), the test's own runner arguments,
    /// the files to put on disk (`resolve` locates a built program), and the kernel
    /// arguments. The run argument stays one kernel argument; the runner quotes it.
    pub fn runner_options(&self, resolve: &dyn Fn(&Program) -> PathBuf, repo_root: &Path) -> Options {
        let mut options = Options::classic(self.timeout_secs);
        options.filesys = Some(PartitionSource::Size(2 * SECTORS_PER_MB));
        options.swap = Some(PartitionSource::Size(4 * SECTORS_PER_MB));
        options
            .apply_args(&self.runner_args)
            .expect("runner_args are checked when the case is made");
        if let Some(program) = &self.program {
            options.put(&resolve(program), &self.name);
        }
        for file in &self.putfiles {
            let host_path = match &file.source {
                PutSource::Program(program) => resolve(program),
                PutSource::Data(path) => repo_root.join(path),
            };
            options.put(&host_path, &file.guest_name);
        }
        options.kernel_args = self.kernel_command();
        options
    }

    /// The kernel arguments: the test's own, or the classic `-q -f run '<name> <args>'`.
    fn kernel_command(&self) -> Vec<String> {
        self.kernel_args
            .clone()
            .unwrap_or_else(|| vec!["-q".into(), "-f".into(), "run".into(), self.command_line()])
    }

    /// This test with `options` before its own kernel arguments (so that its own options win
    /// where both give one: the kernel takes the last of a repeated option).
    pub fn with_kernel_options(&self, options: &[String]) -> TestCase {
        TestCase {
            kernel_args: Some(options.iter().cloned().chain(self.kernel_command()).collect()),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod catalogue_contents;
