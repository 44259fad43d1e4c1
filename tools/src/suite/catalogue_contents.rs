//! Tests of the catalogue's contents (against the classic suite: docs/testing.md, "The
//! classic grading", and docs/abi.md, "How the classic make check runs a test") and of the
//! runner options built from it.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use super::{Catalogue, Checker, PutSource, TestCase};
use crate::quote::join;
use crate::runner::{Language, Program};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn catalogue() -> Catalogue {
    Catalogue::load(&repo_root()).expect("the catalogue loads")
}

fn case<'a>(catalogue: &'a Catalogue, id: &str) -> &'a TestCase {
    catalogue
        .cases
        .iter()
        .find(|case| case.id() == id)
        .unwrap_or_else(|| panic!("no test {id}"))
}

#[test]
fn every_classic_test_is_in_the_catalogue_once() {
    let catalogue = catalogue();
    let mut per_dir: BTreeMap<&str, usize> = BTreeMap::new();
    for case in &catalogue.cases {
        *per_dir.entry(&case.dir).or_default() += 1;
    }
    let expected = [("filesys/base", 13), ("userprog", 66), ("userprog-c", 6), ("userprog/no-vm", 1), ("vm", 34)];
    for (dir, count) in expected {
        assert_eq!(per_dir.get(dir), Some(&count), "tests in {dir}");
    }
    let ids: HashSet<String> = catalogue.cases.iter().map(TestCase::id).collect();
    assert_eq!(ids.len(), catalogue.cases.len(), "ids are unique");
}

#[test]
fn rubric_points_add_up_as_in_the_classic_rubrics() {
    let catalogue = catalogue();
    let mut rubrics: BTreeMap<&str, (usize, u32)> = BTreeMap::new();
    for weight in catalogue
        .cases
        .iter()
        .filter_map(|case| case.rubric.as_ref())
    {
        let (tests, points) = rubrics.entry(&weight.rubric).or_default();
        *tests += 1;
        *points += weight.points;
    }
    let expected = [
        ("tests/filesys/base/Rubric", (13, 30)),
        ("tests/userprog/Rubric.functionality", (28, 108)),
        ("tests/userprog/Rubric.robustness", (34, 88)),
        ("tests/userprog/no-vm/Rubric", (1, 1)),
        ("tests/vm/Rubric.functionality", (20, 55)),
        ("tests/vm/Rubric.robustness", (14, 28)),
    ];
    assert_eq!(rubrics, BTreeMap::from(expected));
    let unweighted: Vec<String> = catalogue
        .cases
        .iter()
        .filter(|case| case.rubric.is_none() && case.dir == "userprog")
        .map(TestCase::id)
        .collect();
    assert_eq!(
        unweighted,
        [
            "userprog/sc-boundary-3",
            "userprog/exec-bound",
            "userprog/exec-bound-2",
            "userprog/exec-bound-3"
        ]
    );
}

#[test]
fn run_arguments_and_timeouts_follow_the_classic_make_check() {
    let catalogue = catalogue();
    // The classic directories and their C twins: Rintos' own tests (and smp runs,
    // whose directory is smpN/...) choose their own arguments.
    let classic_or_twin = ["userprog", "userprog/no-vm", "vm", "filesys/base", "userprog-c"];
    let with_args: BTreeMap<String, &str> = catalogue
        .cases
        .iter()
        .filter(|case| classic_or_twin.contains(&case.dir.as_str()))
        .filter_map(|case| Some((case.id(), case.run_args.as_deref()?)))
        .collect();
    let twenty_two_letters = "a b c d e f g h i j k l m n o p q r s t u v";
    let expected_args = [
        ("userprog/args-single", "onearg"),
        ("userprog/args-multiple", "some arguments for you!"),
        ("userprog/args-many", twenty_two_letters),
        ("userprog/args-dbl-space", "two  spaces!"),
        ("userprog/multi-recurse", "15"),
        ("userprog-c/args-multiple", "some arguments for you!"),
    ];
    assert_eq!(
        with_args,
        expected_args
            .map(|(id, args)| (id.to_string(), args))
            .into()
    );

    // The classic directories only: Rintos' own tests choose their own timeouts.
    let classic = ["userprog", "userprog/no-vm", "vm", "filesys/base"];
    let long_timeouts: BTreeMap<String, u64> = catalogue
        .cases
        .iter()
        .filter(|case| classic.contains(&case.dir.as_str()) && case.timeout_secs != 60)
        .map(|case| (case.id(), case.timeout_secs))
        .collect();
    let expected_timeouts = [
        ("filesys/base/syn-read", 300),
        ("userprog/no-vm/multi-oom", 360),
        ("vm/mmap-shuffle", 600),
        ("vm/page-linear", 300),
        ("vm/page-merge-par", 600),
        ("vm/page-merge-seq", 600),
        ("vm/page-shuffle", 600),
    ];
    assert_eq!(
        long_timeouts,
        expected_timeouts
            .map(|(id, secs)| (id.to_string(), secs))
            .into()
    );
}

#[test]
fn compact_expectations_expand_to_the_classic_lines() {
    let catalogue = catalogue();
    let only_output = |id: &str| match &case(&catalogue, id).checker {
        Checker::Expected { alternatives, .. } if alternatives.len() == 1 => {
            alternatives[0].clone()
        }
        other => panic!("{id} has {other:?}"),
    };
    let recursion = only_output("userprog/multi-recurse");
    assert_eq!(recursion.len(), 63);
    assert_eq!(
        recursion[..3],
        [
            "(multi-recurse) begin 15",
            "(multi-recurse) exec(\"multi-recurse 14\")",
            "(multi-recurse) begin 14"
        ]
    );
    assert_eq!(
        recursion[29..33],
        [
            "(multi-recurse) exec(\"multi-recurse 0\")",
            "(multi-recurse) begin 0",
            "(multi-recurse) end 0",
            "multi-recurse: exit(0)"
        ]
    );
    assert_eq!(
        recursion[61..],
        ["(multi-recurse) end 15", "multi-recurse: exit(15)"]
    );

    let args_many = only_output("userprog/args-many");
    assert_eq!(args_many.len(), 28);
    assert_eq!(args_many[3], "(args) argv[1] = 'a'");
    assert_eq!(args_many[24], "(args) argv[22] = 'v'");

    let rox = only_output("userprog/rox-multichild");
    assert_eq!(rox.len(), 37);
    assert_eq!(
        rox.iter()
            .filter(|line| *line == "child-rox: exit(12)")
            .count(),
        5
    );
    assert_eq!(
        rox[10..12],
        ["(child-rox) exec \"child-rox 3\"", "(child-rox) begin"]
    );

    let syn_read = only_output("filesys/base/syn-read");
    assert_eq!(
        syn_read[14],
        "(syn-read) exec child 10 of 10: \"child-syn-read 9\""
    );
    assert_eq!(
        syn_read[15],
        "(syn-read) wait for child 1 of 10 returned 0 (expected 0)"
    );

    let merge = only_output("vm/page-merge-seq");
    assert_eq!(merge.len(), 22);
    assert_eq!(merge[17], "(page-merge-seq) sort chunk 15");
}

#[test]
fn c_variants_are_their_rust_twins_built_from_c() {
    let catalogue = catalogue();
    for twin in catalogue
        .cases
        .iter()
        .filter(|case| case.dir == "userprog-c")
    {
        let original = case(&catalogue, &format!("userprog/{}", twin.name));
        assert_eq!(twin.checker, original.checker);
        assert_eq!(
            (&twin.run_args, twin.timeout_secs),
            (&original.run_args, original.timeout_secs)
        );
        assert_eq!(twin.rubric, None);
        let binary = twin.program.as_ref().expect("a user program");
        assert_eq!(binary.language, Language::C);
        assert_eq!(
            Some(&binary.binary),
            original.program.as_ref().map(|program| &program.binary)
        );
        assert_eq!(twin.putfiles.len(), original.putfiles.len());
        for file in &twin.putfiles {
            if let PutSource::Program(program) = &file.source {
                assert_eq!(
                    program.language,
                    Language::C,
                    "{} in {}",
                    file.guest_name,
                    twin.id()
                );
            }
        }
    }
    let exec_once = case(&catalogue, "userprog-c/exec-once");
    assert!(
        matches!(&exec_once.putfiles[0].source, PutSource::Program(program) if program.binary == "child-simple")
    );
}

#[test]
fn every_data_putfile_exists() {
    let catalogue = catalogue();
    for case in &catalogue.cases {
        for file in &case.putfiles {
            if let PutSource::Data(path) = &file.source {
                assert!(
                    repo_root().join(path).is_file(),
                    "{}: missing data file {}",
                    case.id(),
                    path.display()
                );
            }
        }
    }
}

/// Every Rust user program of the guest build (from cargo's metadata).
fn rust_user_binaries() -> BTreeSet<String> {
    crate::runner::user_program_names(&repo_root()).expect("cargo metadata")
}

/// The kernel tests the kernel defines: the names in `selftest::TESTS`.
fn kernel_tests_in_source() -> BTreeSet<String> {
    let source = std::fs::read_to_string(repo_root().join("kernel/src/selftest/mod.rs")).expect("selftest/mod.rs");
    let table = source.split("const TESTS").nth(1).expect("a TESTS table").split("];").next().expect("its end");
    table.lines().filter_map(|line| Some(line.trim().strip_prefix("(\"")?.split('"').next()?.to_string())).collect()
}

#[test]
fn the_catalogue_runs_every_kernel_test_and_no_other() {
    let catalogue = catalogue();
    let cataloged: BTreeSet<String> =
        catalogue.cases.iter().filter(|case| case.dir == "kernel").map(|case| case.name.clone()).collect();
    let defined = kernel_tests_in_source();
    assert!(defined.len() >= 15, "the TESTS table was not read: {defined:?}");
    assert_eq!(cataloged, defined);
}

#[test]
fn every_program_is_built_by_the_user_package() {
    let catalogue = catalogue();
    let rust_binaries = rust_user_binaries();
    let is_built = |program: &Program| match program.language {
        Language::Rust => rust_binaries.contains(&program.binary),
        Language::C => repo_root()
            .join("user/c/classic")
            .join(format!("{}.c", program.binary))
            .is_file(),
    };
    let mut missing = BTreeMap::<String, Vec<String>>::new();
    for case in &catalogue.cases {
        let putfile_programs = case.putfiles.iter().filter_map(|file| match &file.source {
            PutSource::Program(program) => Some(program),
            PutSource::Data(_) => None,
        });
        for program in case
            .program
            .iter()
            .chain(putfile_programs)
            .filter(|program| !is_built(program))
        {
            missing
                .entry(format!("{:?} {}", program.language, program.binary))
                .or_default()
                .push(case.id());
        }
    }
    let report: Vec<String> = missing
        .iter()
        .map(|(program, users)| format!("{program} (for {})", users.join(", ")))
        .collect();
    assert!(
        missing.is_empty(),
        "{} programs that the user package does not build:\n{}",
        missing.len(),
        report.join("\n")
    );
}

#[test]
fn runner_options_carry_the_classic_options_files_and_kernel_arguments() {
    let catalogue = catalogue();
    let root = Path::new("/repo");
    let resolve = |program: &Program| {
        PathBuf::from(format!("/built/{:?}/{}", program.language, program.binary))
    };
    let command = |id: &str| join(case(&catalogue, id).runner_options(&resolve, root).to_args());

    assert_eq!(
        command("userprog/args-dbl-space"),
        "-v -k --timeout=60 --filesys-size=2 --swap-size=4 -p /built/Rust/args -a args-dbl-space \
         -- -q -f run 'args-dbl-space two  spaces!'"
    );
    assert!(command("userprog/multi-child-fd").ends_with(
        "-p /built/Rust/multi-child-fd -a multi-child-fd -p /repo/user/data/userprog/sample.txt \
         -a sample.txt -p /built/Rust/child-close -a child-close -- -q -f run multi-child-fd"
    ));
    assert_eq!(
        command("kernel/ata-overlap"),
        "-v -k --timeout=60 --filesys-size=2 --swap-size=4 --scratch-size=1 --throttle-iops=200 \
         --blank-disk=1 --blank-disk=1 -- -q ktest ata-overlap"
    );
    assert_eq!(
        case(&catalogue, "vm/page-linear").runner_options(&resolve, root).timeout_secs,
        Some(300)
    );
}

#[test]
fn kernel_options_go_before_the_cases_own_so_that_its_own_win() {
    let catalogue = catalogue();
    let options = ["-ul=512".to_string(), "-slice=2".to_string()];
    assert_eq!(
        case(&catalogue, "vm-repeat/parallel-ul16").with_kernel_options(&options).kernel_args,
        Some(["-ul=512", "-slice=2", "-q", "-ul=16", "-f", "run", "parallel-ul16"].map(String::from).into())
    );
    assert_eq!(
        case(&catalogue, "userprog/args-single").with_kernel_options(&options).kernel_args,
        Some(["-ul=512", "-slice=2", "-q", "-f", "run", "args-single onearg"].map(String::from).into())
    );
}
