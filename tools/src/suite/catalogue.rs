//! Reading the catalogue files `tests/catalogue/*.toml`, one per directory of cases. Their
//! format is in docs/testing.md, "The catalogue format"; expected outputs may use the
//! compact forms of [`super::expect`]. Every mistake is reported with the case's id before
//! anything runs.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail, ensure};
use serde::Deserialize;

use super::{Catalogue, Checker, Filters, PutFile, PutSource, RubricPoints, TestCase, expect};
use crate::runner::{Language, MAX_CPUS, Options, Program};

const DEFAULT_TIMEOUT_SECS: u64 = 60;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    dir: String,
    #[serde(default)]
    language: LanguageName,
    #[serde(default = "user_programs_by_default")]
    user_programs: bool,
    #[serde(rename = "test")]
    tests: Vec<TestEntry>,
    #[serde(default)]
    smp: Vec<SmpEntry>,
}

/// The file's tests run again on several virtual CPUs.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SmpEntry {
    cpus: u32,
    /// The names of the tests to run again; every test of the file if absent.
    tests: Option<Vec<String>>,
}

fn user_programs_by_default() -> bool {
    true
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum LanguageName {
    #[default]
    Rust,
    C,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestEntry {
    name: String,
    twin: Option<String>,
    program: Option<String>,
    #[serde(default)]
    putfiles: Vec<PutFileEntry>,
    run_args: Option<String>,
    kernel_args: Option<Vec<String>>,
    #[serde(default)]
    runner_args: Vec<String>,
    timeout: Option<u64>,
    rubric: Option<String>,
    points: Option<u32>,
    check: Option<CheckKind>,
    expect: Option<Expectation>,
    #[serde(default)]
    ignore_exit_codes: bool,
    #[serde(default)]
    ignore_user_faults: bool,
    /// For `check = "kernel-panic"`: the panic message, and a function the call stack shows.
    panic_message: Option<String>,
    panic_frame: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum PutFileEntry {
    /// A helper program named like its binary, or a data file's path.
    Plain(String),
    /// A program put on disk under another name than its binary's.
    Renamed { name: String, program: String },
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum CheckKind {
    Expected,
    ProcessDeath,
    Halt,
    KernelTest,
    KernelPanic,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Expectation {
    One(String),
    AnyOf(Vec<String>),
}

/// Loads every `*.toml` of `dir`, in file-name order, and resolves the twins.
pub fn load(dir: &Path) -> anyhow::Result<Catalogue> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading the catalogue directory {}", dir.display()))?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()?;
    paths.retain(|path| {
        path.extension()
            .is_some_and(|extension| extension == "toml")
    });
    paths.sort();

    let mut entries = Vec::new();
    let mut smp_variants = Vec::new();
    for path in &paths {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let file: CatalogueFile =
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        let language = match file.language {
            LanguageName::Rust => Language::Rust,
            LanguageName::C => Language::C,
        };
        for test in file.tests {
            entries.push((file.dir.clone(), language, file.user_programs, test));
        }
        for variant in file.smp {
            smp_variants.push((file.dir.clone(), variant));
        }
    }

    // Twins refer to cases of any file, so every other case is built first.
    let mut built: HashMap<String, TestCase> = HashMap::new();
    for (dir, language, user_programs, test) in &entries {
        if test.twin.is_none() {
            let case = build(dir, *language, *user_programs, test)
                .with_context(|| format!("in test {dir}/{}", test.name))?;
            built.insert(case.id(), case);
        }
    }
    let mut cases = Vec::with_capacity(entries.len());
    let mut ids = HashSet::new();
    for (dir, language, _, test) in &entries {
        let id = format!("{dir}/{}", test.name);
        ensure!(ids.insert(id.clone()), "test {id} is listed twice");
        let case = match &test.twin {
            None => built[&id].clone(),
            Some(twin) => {
                let original = built
                    .get(twin)
                    .with_context(|| format!("test {id}: no twin {twin}"))?;
                twin_case(dir, *language, test, original)
                    .with_context(|| format!("in test {id}"))?
            }
        };
        cases.push(case);
    }
    // The runs on several CPUs come after every one-CPU case.
    let mut again = Vec::new();
    for (dir, variant) in &smp_variants {
        let variant_cases = on_cpus(&cases, dir, variant)
            .with_context(|| format!("in an [[smp]] of {dir}, with {} CPUs", variant.cpus))?;
        for case in &variant_cases {
            ensure!(ids.insert(case.id()), "test {} is listed twice", case.id());
        }
        again.extend(variant_cases);
    }
    cases.extend(again);
    Ok(Catalogue { cases })
}

/// The cases of `dir` that `variant` names, again on its number of CPUs, as cases of the
/// directory `smp<cpus>/<dir>`. They count for pass/fail only: the classic grades are the
/// one-CPU runs'.
fn on_cpus(cases: &[TestCase], dir: &str, variant: &SmpEntry) -> anyhow::Result<Vec<TestCase>> {
    ensure!(
        (2..=MAX_CPUS).contains(&variant.cpus),
        "`cpus` must be 2 to {MAX_CPUS}, not {}",
        variant.cpus
    );
    let in_dir: Vec<&TestCase> = cases.iter().filter(|case| case.dir == dir).collect();
    if let Some(names) = &variant.tests {
        ensure!(!names.is_empty(), "`tests` names no test");
        for name in names {
            ensure!(in_dir.iter().any(|case| case.name == *name), "no test {dir}/{name}");
        }
    }
    let chosen = |case: &&&TestCase| variant.tests.as_ref().is_none_or(|names| names.contains(&case.name));
    Ok(in_dir
        .iter()
        .filter(chosen)
        .map(|case| {
            let mut runner_args = case.runner_args.clone();
            runner_args.push(format!("--smp={}", variant.cpus));
            TestCase {
                dir: format!("smp{}/{dir}", variant.cpus),
                runner_args,
                rubric: None,
                ..(*case).clone()
            }
        })
        .collect())
}

fn build(
    dir: &str,
    language: Language,
    user_programs: bool,
    test: &TestEntry,
) -> anyhow::Result<TestCase> {
    ensure!(
        !test.name.is_empty() && !test.name.contains(char::is_whitespace),
        "bad test name `{}`",
        test.name
    );
    let program_named = |binary: &str| Program {
        language,
        binary: binary.to_string(),
    };
    let program = if user_programs {
        Some(program_named(test.program.as_deref().unwrap_or(&test.name)))
    } else {
        ensure!(
            test.program.is_none() && test.putfiles.is_empty(),
            "a file without user programs puts none on disk"
        );
        ensure!(
            test.kernel_args.is_some(),
            "a test without a user program needs kernel_args"
        );
        None
    };
    let putfiles = test
        .putfiles
        .iter()
        .map(|entry| match entry {
            PutFileEntry::Plain(path) if path.contains('/') => {
                let guest_name = Path::new(path)
                    .file_name()
                    .context("a data file path must name a file")?;
                Ok(PutFile {
                    guest_name: guest_name.to_string_lossy().into_owned(),
                    source: PutSource::Data(path.into()),
                })
            }
            PutFileEntry::Plain(binary) => Ok(PutFile {
                guest_name: binary.clone(),
                source: PutSource::Program(program_named(binary)),
            }),
            PutFileEntry::Renamed { name, program } => Ok(PutFile {
                guest_name: name.clone(),
                source: PutSource::Program(program_named(program)),
            }),
        })
        .collect::<anyhow::Result<_>>()?;
    Options::default()
        .apply_args(&test.runner_args)
        .context("in `runner_args`")?;
    let rubric = match (&test.rubric, test.points) {
        (Some(rubric), Some(points)) => Some(RubricPoints {
            rubric: format!("tests/{dir}/{rubric}"),
            points,
        }),
        (None, None) => None,
        _ => bail!("`rubric` and `points` go together"),
    };
    Ok(TestCase {
        dir: dir.to_string(),
        name: test.name.clone(),
        program,
        putfiles,
        run_args: test.run_args.clone(),
        kernel_args: test.kernel_args.clone(),
        runner_args: test.runner_args.clone(),
        timeout_secs: test.timeout.unwrap_or(DEFAULT_TIMEOUT_SECS),
        checker: checker(test)?,
        rubric,
    })
}

fn checker(test: &TestEntry) -> anyhow::Result<Checker> {
    let kind = test.check.unwrap_or(CheckKind::Expected);
    let filtered = test.ignore_exit_codes || test.ignore_user_faults;
    ensure!(
        kind == CheckKind::Expected || (test.expect.is_none() && !filtered),
        "only check = \"expected\" takes `expect` and filters"
    );
    Ok(match kind {
        CheckKind::Expected => {
            let templates = match &test.expect {
                Some(Expectation::One(template)) => std::slice::from_ref(template),
                Some(Expectation::AnyOf(templates)) if !templates.is_empty() => {
                    templates.as_slice()
                }
                _ => bail!("`expect` must give at least one acceptable output"),
            };
            let alternatives = templates
                .iter()
                .map(|template| expect::expand(template))
                .collect::<Result<_, _>>();
            Checker::Expected {
                alternatives: alternatives
                    .map_err(anyhow::Error::msg)
                    .context("in `expect`")?,
                filters: Filters {
                    ignore_exit_codes: test.ignore_exit_codes,
                    ignore_user_faults: test.ignore_user_faults,
                },
            }
        }
        CheckKind::ProcessDeath => Checker::ProcessDeath,
        CheckKind::Halt => Checker::Halt,
        CheckKind::KernelTest => Checker::KernelTest,
        CheckKind::KernelPanic => Checker::KernelPanic {
            message: test.panic_message.clone().context("check = \"kernel-panic\" needs panic_message")?,
            frame: test.panic_frame.clone().context("check = \"kernel-panic\" needs panic_frame")?,
        },
    })
}

/// The same test as `original`, built from the other language's programs. It is in no rubric.
fn twin_case(
    dir: &str,
    language: Language,
    test: &TestEntry,
    original: &TestCase,
) -> anyhow::Result<TestCase> {
    ensure!(
        gives_only_name_and_twin(test),
        "a twin gives only `name` and `twin`"
    );
    // The programs print their own name, so the expected output only fits the same name.
    ensure!(
        test.name == original.name,
        "a twin must have its original's name `{}`",
        original.name
    );
    let in_language = |program: &Program| Program {
        language,
        binary: program.binary.clone(),
    };
    let putfiles = original
        .putfiles
        .iter()
        .map(|file| PutFile {
            guest_name: file.guest_name.clone(),
            source: match &file.source {
                PutSource::Program(program) => PutSource::Program(in_language(program)),
                data @ PutSource::Data(_) => data.clone(),
            },
        })
        .collect();
    Ok(TestCase {
        dir: dir.to_string(),
        program: original.program.as_ref().map(in_language),
        putfiles,
        rubric: None,
        ..original.clone()
    })
}

fn gives_only_name_and_twin(test: &TestEntry) -> bool {
    test.program.is_none()
        && test.putfiles.is_empty()
        && test.run_args.is_none()
        && test.kernel_args.is_none()
        && test.runner_args.is_empty()
        && test.timeout.is_none()
        && test.rubric.is_none()
        && test.points.is_none()
        && test.check.is_none()
        && test.expect.is_none()
        && !test.ignore_exit_codes
        && !test.ignore_user_faults
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::load;
    use crate::runner::{Language, Program};
    use crate::suite::{Checker, PutSource};

    /// Loads a catalogue made of `files` (name, contents).
    fn load_files(files: &[(&str, &str)]) -> anyhow::Result<crate::suite::Catalogue> {
        let dir = tempfile::tempdir().expect("a temporary directory");
        for (name, contents) in files {
            std::fs::write(dir.path().join(name), contents).expect("writable");
        }
        load(dir.path())
    }

    const EXIT_TEST: &str = r#"
dir = "userprog"
[[test]]
name = "exit"
expect = """
(exit) begin
exit: exit(57)
"""
"#;

    #[test]
    fn a_minimal_file_gives_a_test_with_the_classic_defaults() {
        let catalogue = load_files(&[
            ("userprog.toml", EXIT_TEST),
            ("notes.txt", "not a catalogue"),
        ])
        .unwrap();
        let [case] = &catalogue.cases[..] else {
            panic!("one case: {:?}", catalogue.cases)
        };
        assert_eq!(case.id(), "userprog/exit");
        assert_eq!(
            case.program
                .as_ref()
                .map(|program| (program.language, program.binary.as_str())),
            Some((Language::Rust, "exit"))
        );
        assert_eq!(
            (
                case.timeout_secs,
                case.rubric.is_none(),
                case.run_args.is_none()
            ),
            (60, true, true)
        );
        let expected = vec![vec![
            "(exit) begin".to_string(),
            "exit: exit(57)".to_string(),
        ]];
        assert!(
            matches!(&case.checker, Checker::Expected { alternatives, filters } if *alternatives == expected && *filters == Default::default())
        );
    }

    #[test]
    fn a_twin_takes_everything_but_its_directory_and_language() {
        let original = r#"
dir = "userprog"
[[test]]
name = "exec-arg"
putfiles = [{ name = "child-args", program = "args" }, "user/data/userprog/sample.txt"]
run_args = "x"
rubric = "Rubric.functionality"
points = 5
check = "process-death"
"#;
        let twin = "dir = \"userprog-c\"\nlanguage = \"c\"\n[[test]]\nname = \"exec-arg\"\ntwin = \"userprog/exec-arg\"\n";
        let catalogue = load_files(&[("a.toml", twin), ("b.toml", original)]).unwrap();
        let twin = &catalogue.cases[0];
        assert_eq!(
            (
                twin.id().as_str(),
                twin.run_args.as_deref(),
                &twin.checker,
                &twin.rubric
            ),
            (
                "userprog-c/exec-arg",
                Some("x"),
                &Checker::ProcessDeath,
                &None
            )
        );
        assert!(
            matches!(&twin.putfiles[0].source, PutSource::Program(program) if program.language == Language::C && program.binary == "args")
        );
        assert_eq!(twin.putfiles[0].guest_name, "child-args");
        assert!(
            matches!(&twin.putfiles[1].source, PutSource::Data(path) if path.ends_with("sample.txt"))
        );
    }

    #[test]
    fn mistakes_in_a_catalogue_file_are_reported() {
        let with_line =
            |line: &str| EXIT_TEST.replace("name = \"exit\"", &format!("name = \"exit\"\n{line}"));
        let twin_of_exit = |lines: &str| format!("dir = \"userprog-c\"\n[[test]]\n{lines}\n");
        let mistakes = [
            (
                EXIT_TEST.replace("expect =", "expected ="),
                "unknown field `expected`",
            ),
            (
                with_line("rubric = \"Rubric\""),
                "`rubric` and `points` go together",
            ),
            (
                with_line("check = \"halt\""),
                "only check = \"expected\" takes `expect`",
            ),
            (
                with_line("check = \"sometimes\""),
                "unknown variant `sometimes`",
            ),
            (
                EXIT_TEST.replace("(exit) begin", "{repeat}\n(exit) begin"),
                "without `{end}`",
            ),
            (
                EXIT_TEST.replace(
                    "dir = \"userprog\"",
                    "dir = \"kernel\"\nuser_programs = false",
                ),
                "needs kernel_args",
            ),
            (
                format!("{EXIT_TEST}{}", EXIT_TEST.replace("dir = \"userprog\"", "")),
                "userprog/exit is listed twice",
            ),
            (
                twin_of_exit("name = \"exit\"\ntwin = \"userprog/exit\"\ntimeout = 5"),
                "a twin gives only `name` and `twin`",
            ),
            (
                twin_of_exit("name = \"exit\"\ntwin = \"userprog/nothing\""),
                "no twin userprog/nothing",
            ),
            (
                twin_of_exit("name = \"halt\"\ntwin = \"userprog/exit\""),
                "its original's name `exit`",
            ),
        ];
        for (mistake, message) in mistakes {
            let files = [
                ("mistake.toml", mistake.as_str()),
                ("userprog.toml", EXIT_TEST),
            ];
            let files = if mistake.contains("userprog-c") {
                &files[..]
            } else {
                &files[..1]
            };
            let error = load_files(files).expect_err(&format!("accepted:\n{mistake}"));
            assert!(
                format!("{error:#}").contains(message),
                "{error:#} lacks {message:?}"
            );
        }
    }

    const VM_TESTS: &str = r#"
dir = "vm"
[[test]]
name = "page-linear"
rubric = "Rubric.functionality"
points = 3
timeout = 300
ignore_exit_codes = true
expect = "(page-linear) begin"
[[test]]
name = "page-merge-par"
putfiles = ["child-sort"]
runner_args = ["--blank-disk=1"]
ignore_exit_codes = true
expect = "(page-merge-par) begin"
"#;

    fn ids(catalogue: &crate::suite::Catalogue) -> Vec<String> {
        catalogue.cases.iter().map(|case| case.id()).collect()
    }

    fn cpus(case: &crate::suite::TestCase) -> u32 {
        let resolve = |program: &Program| PathBuf::from(&program.binary);
        case.runner_options(&resolve, std::path::Path::new("/")).cpus()
    }

    #[test]
    fn an_smp_table_runs_the_whole_directory_again_after_every_other_case() {
        let vm = format!("{VM_TESTS}[[smp]]\ncpus = 2\n");
        let catalogue = load_files(&[("vm.toml", &vm), ("z.toml", EXIT_TEST)]).unwrap();
        assert_eq!(
            ids(&catalogue),
            [
                "vm/page-linear",
                "vm/page-merge-par",
                "userprog/exit",
                "smp2/vm/page-linear",
                "smp2/vm/page-merge-par"
            ]
        );
        let [linear, merge, _, linear_2, merge_2] = &catalogue.cases[..] else {
            panic!("five cases")
        };
        assert_eq!((cpus(linear), cpus(linear_2), cpus(merge_2)), (1, 2, 2));
        // Everything else is the one-CPU case's, but the grade counts only that one.
        assert_eq!(linear_2.rubric, None);
        assert!(linear.rubric.is_some());
        assert_eq!(
            (linear_2.name.as_str(), linear_2.timeout_secs, &linear_2.checker),
            (linear.name.as_str(), linear.timeout_secs, &linear.checker)
        );
        assert_eq!(merge_2.putfiles, merge.putfiles);
        assert_eq!(merge_2.runner_args, ["--blank-disk=1", "--smp=2"]);
    }

    #[test]
    fn an_smp_table_may_name_its_tests_and_several_cpu_counts() {
        let vm = format!(
            "{VM_TESTS}[[smp]]\ncpus = 4\ntests = [\"page-merge-par\"]\n[[smp]]\ncpus = 2\n"
        );
        let catalogue = load_files(&[("vm.toml", &vm)]).unwrap();
        assert_eq!(
            ids(&catalogue),
            [
                "vm/page-linear",
                "vm/page-merge-par",
                "smp4/vm/page-merge-par",
                "smp2/vm/page-linear",
                "smp2/vm/page-merge-par"
            ]
        );
        assert_eq!(cpus(&catalogue.cases[2]), 4);
    }

    #[test]
    fn twins_run_again_too() {
        let twin = "dir = \"userprog-c\"\nlanguage = \"c\"\n[[test]]\nname = \"exit\"\n\
                    twin = \"userprog/exit\"\n[[smp]]\ncpus = 2\n";
        let catalogue = load_files(&[("a.toml", twin), ("b.toml", EXIT_TEST)]).unwrap();
        let again = catalogue.cases.last().unwrap();
        assert_eq!(again.id(), "smp2/userprog-c/exit");
        assert_eq!(again.program.as_ref().map(|program| program.language), Some(Language::C));
    }

    #[test]
    fn mistakes_in_an_smp_table_are_reported() {
        let mistakes = [
            ("[[smp]]\ncpus = 1\n", "`cpus` must be 2 to 8, not 1"),
            ("[[smp]]\ncpus = 9\n", "`cpus` must be 2 to 8, not 9"),
            ("[[smp]]\ncpus = 2\ntests = [\"page-shuffle\"]\n", "no test vm/page-shuffle"),
            ("[[smp]]\ncpus = 2\ntests = []\n", "`tests` names no test"),
            ("[[smp]]\ncpus = 2\n[[smp]]\ncpus = 2\n", "smp2/vm/page-linear is listed twice"),
            ("[[smp]]\ncpus = 2\nfast = true\n", "unknown field `fast`"),
        ];
        for (table, message) in mistakes {
            let file = format!("{VM_TESTS}{table}");
            let error = load_files(&[("vm.toml", &file)]).expect_err(&format!("accepted:\n{table}"));
            assert!(format!("{error:#}").contains(message), "{error:#} lacks {message:?}");
        }
    }

    #[test]
    fn runner_args_are_checked_when_the_catalogue_loads() {
        let file = EXIT_TEST.replace("name = \"exit\"", "name = \"exit\"\nrunner_args = [\"--smp=0\"]");
        let error = load_files(&[("userprog.toml", &file)]).unwrap_err();
        assert!(format!("{error:#}").contains("--smp takes 1 to 8 CPUs"), "{error:#}");
    }
}
