//! The checker on synthetic outputs: each classic rule and filter, passing and failing.

use std::path::Path;

use super::check;
use crate::suite::{Catalogue, Checker, Filters, TestCase};

fn catalogue_case(id: &str) -> TestCase {
    let catalogue =
        Catalogue::load(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("the catalogue loads");
    catalogue
        .cases
        .into_iter()
        .find(|case| case.id() == id)
        .unwrap_or_else(|| panic!("no test {id}"))
}

fn case(name: &str, checker: Checker) -> TestCase {
    TestCase {
        dir: "synthetic".into(),
        name: name.into(),
        program: None,
        putfiles: Vec::new(),
        run_args: None,
        kernel_args: None,
        runner_args: Vec::new(),
        timeout_secs: 60,
        checker,
        rubric: None,
    }
}

fn expecting(name: &str, filters: Filters, alternatives: &[&[&str]]) -> TestCase {
    let alternatives = alternatives
        .iter()
        .map(|lines| lines.iter().map(|line| line.to_string()).collect())
        .collect();
    case(
        name,
        Checker::Expected {
            alternatives,
            filters,
        },
    )
}

const NO_FILTERS: Filters = Filters {
    ignore_exit_codes: false,
    ignore_user_faults: false,
};
const RESOURCES_START: &str =
    "Resources at start: free-frames=367 free-swap-slots=1024 open-files=0 threads=2";
const RESOURCES_END: &str =
    "Resources at end: free-frames=367 free-swap-slots=1024 open-files=0 threads=2";

/// A whole console output as the kernel prints it around a run of `command_line`.
fn run_output(command_line: &str, core: &[&str]) -> String {
    let mut lines = vec![
        format!("Kernel command line: -q -f extract run '{command_line}'"),
        "Pintos booting with 3,968 kB RAM...".into(),
        "367 pages available in user pool.".into(),
        "Boot complete.".into(),
        format!("Executing '{command_line}':"),
    ];
    lines.extend(core.iter().map(|line| line.to_string()));
    lines.extend([
        format!("Execution of '{command_line}' complete."),
        RESOURCES_START.into(),
        RESOURCES_END.into(),
        "Timer: 71 ticks".into(),
        "Thread: 0 idle ticks, 71 kernel ticks, 0 user ticks".into(),
        "Powering off...".into(),
    ]);
    lines.iter().map(|line| format!("{line}\n")).collect()
}

const EXIT_CORE: &[&str] = &["(exit) begin", "exit: exit(57)"];

fn exit_case() -> TestCase {
    expecting("exit", NO_FILTERS, &[EXIT_CORE])
}

fn assert_passes(case: &TestCase, output: &str) {
    let verdict = check(case, output, true);
    assert!(
        verdict.passed,
        "{} failed: {:?}\n{}",
        case.id(),
        verdict.reasons,
        verdict.diff.unwrap_or_default()
    );
    assert!(verdict.reasons.is_empty() && verdict.diff.is_none());
}

/// Asserts that `case` fails on `output`, with a reason containing `reason`.
fn assert_fails_with(case: &TestCase, output: &str, reason: &str) {
    let verdict = check(case, output, true);
    assert!(!verdict.passed, "{} passed on:\n{output}", case.id());
    assert!(
        verdict.reasons.iter().any(|given| given.contains(reason)),
        "no reason with {reason:?} in {:?}",
        verdict.reasons
    );
}

#[test]
fn the_expected_core_output_passes() {
    assert_passes(&exit_case(), &run_output("exit", EXIT_CORE));
}

#[test]
fn every_common_check_fails_the_test() {
    let case = exit_case();
    let good = run_output("exit", EXIT_CORE);
    assert_fails_with(&case, "", "no output at all");
    let with_line_after_boot =
        |extra: &str| good.replacen("Boot complete.\n", &format!("Boot complete.\n{extra}\n"), 1);
    assert_fails_with(
        &case,
        &with_line_after_boot("Kernel PANIC at kernel/src/x.rs:3 in f(): oops"),
        "Kernel panic in run: PANIC at",
    );
    assert_fails_with(
        &case,
        &with_line_after_boot("(exit) something: FAILED"),
        "run: something: FAILED",
    );
    assert_fails_with(
        &case,
        &with_line_after_boot("Pintos booting with 3,968 kB RAM..."),
        "rebooted 1 times",
    );
    assert_fails_with(
        &case,
        &format!("{good}TIMEOUT after 60 seconds of host CPU time\n"),
        "run: TIMEOUT after 60",
    );
    let without = |line: &str| good.replace(&format!("{line}\n"), "");
    assert_fails_with(
        &case,
        &without("Pintos booting with 3,968 kB RAM..."),
        "no \"Pintos booting\" message",
    );
    assert_fails_with(
        &case,
        &without("Boot complete."),
        "no \"Boot complete\" message",
    );
    assert_fails_with(
        &case,
        &without("Timer: 71 ticks"),
        "no \"Timer: # ticks\" message",
    );
    assert_fails_with(
        &case,
        &without("Powering off..."),
        "no \"Powering off\" message",
    );
}

#[test]
fn a_fail_keyword_anywhere_fails_even_outside_the_core_output() {
    let output = run_output("exit", EXIT_CORE).replace("Powering off...", "Powering off... (FAIL)");
    assert_fails_with(&exit_case(), &output, "run: Powering off... (FAIL)");
}

#[test]
fn the_core_output_needs_both_markers_and_some_lines() {
    let case = exit_case();
    let good = run_output("exit", EXIT_CORE);
    assert_fails_with(
        &case,
        &good.replace("Executing 'exit':\n", ""),
        "didn't start a thread or process",
    );
    assert_fails_with(
        &case,
        &good.replace("Execution of 'exit' complete.\n", ""),
        "started 'exit' but it never finished",
    );
    assert_fails_with(&case, &run_output("exit", &[]), "didn't produce any output");
}

#[test]
fn lines_compare_exactly_in_count_order_and_content() {
    let case = exit_case();
    assert_fails_with(
        &case,
        &run_output("exit", &["exit: exit(57)", "(exit) begin"]),
        "failed to match any acceptable form",
    );
    assert_fails_with(
        &case,
        &run_output(
            "exit",
            &["(exit) begin", "exit: exit(57)", "exit: exit(57)"],
        ),
        "failed to match",
    );
    assert_fails_with(
        &case,
        &run_output("exit", &["(exit) begin\r", "exit: exit(57)"]),
        "failed to match",
    );
    assert_fails_with(
        &case,
        &run_output("exit", &["(exit) begin "]),
        "failed to match",
    );
}

#[test]
fn number_fields_match_counters_and_the_diff_shows_only_the_lines_that_differ() {
    let case = expecting(
        "ps",
        NO_FILTERS,
        &[&["  PID NAME", "{1..} ps {4..}", "{1..} child {64..}"]],
    );
    let core = |child_pages: &'static str| ["  PID NAME", "    3 ps   7", child_pages];
    assert_passes(&case, &run_output("ps", &core("    4 child   64")));
    let verdict = check(&case, &run_output("ps", &core("    4 child   63")), true);
    assert!(!verdict.passed);
    let diff = verdict
        .diff
        .expect("a diff for an output that matched nothing");
    let changed: Vec<&str> = diff
        .lines()
        .filter(|line| line.starts_with(['-', '+']))
        .collect();
    assert_eq!(
        changed,
        [
            "--- expected",
            "+++ actual",
            "-{1..} child {64..}",
            "+    4 child   63"
        ]
    );
}

#[test]
fn exit_lines_are_dropped_only_under_ignore_exit_codes() {
    let core = [
        "(sm-create) begin",
        "child: exit(-1)",
        "(sm-create) end",
        "sm-create: exit(0)",
    ];
    let expected: &[&str] = &["(sm-create) begin", "(sm-create) end"];
    let ignoring = Filters {
        ignore_exit_codes: true,
        ..NO_FILTERS
    };
    assert_passes(
        &expecting("sm-create", ignoring, &[expected]),
        &run_output("sm-create", &core),
    );
    assert_fails_with(
        &expecting("sm-create", NO_FILTERS, &[expected]),
        &run_output("sm-create", &core),
        "failed to match",
    );
    // Only whole termination messages go: not a line that merely mentions one.
    let chatty = [
        "(sm-create) begin",
        "(sm-create) sm-create: exit(0)",
        "(sm-create) end",
    ];
    let verdict = check(
        &expecting("sm-create", ignoring, &[expected]),
        &run_output("sm-create", &chatty),
        true,
    );
    assert!(!verdict.passed);
    assert!(
        verdict
            .reasons
            .iter()
            .any(|reason| reason.contains("Process exit codes are excluded"))
    );
}

const USER_FAULT_REPORT: [&str; 7] = [
    "Page fault at 0: not present error reading page in user context.",
    "bad-read: dying due to interrupt 0x0e (#PF Page-Fault Exception).",
    "Interrupt 0x0e (#PF Page-Fault Exception) at eip=0x804809c",
    " cr2=00000000 error=00000004",
    " eax=00000100 ebx=00000000 ecx=0000000e edx=00000027",
    " esi=00000000 edi=00000000 esp=bfffffe4 ebp=bfffffe8",
    " cs=001b ds=0023 es=0023 ss=0023",
];

#[test]
fn user_fault_reports_are_dropped_only_under_ignore_user_faults() {
    let mut core = vec!["(bad-read) begin"];
    core.extend(USER_FAULT_REPORT);
    core.push("bad-read: exit(-1)");
    let expected: &[&str] = &["(bad-read) begin", "bad-read: exit(-1)"];
    let ignoring = Filters {
        ignore_user_faults: true,
        ..NO_FILTERS
    };
    assert_passes(
        &expecting("bad-read", ignoring, &[expected]),
        &run_output("bad-read", &core),
    );
    assert_fails_with(
        &expecting("bad-read", NO_FILTERS, &[expected]),
        &run_output("bad-read", &core),
        "failed to match",
    );
    // The exit line stays: IGNORE_USER_FAULTS alone does not drop it.
    let without_exit = &core[..core.len() - 1];
    assert_fails_with(
        &expecting("bad-read", ignoring, &[expected]),
        &run_output("bad-read", without_exit),
        "failed to match",
    );
}

#[test]
fn a_fault_in_kernel_context_is_never_dropped() {
    let core = [
        "(bad-read) begin",
        "Page fault at 0xc0000000: not present error reading page in kernel context.",
        "bad-read: exit(-1)",
    ];
    let expected: &[&str] = &["(bad-read) begin", "bad-read: exit(-1)"];
    let both = Filters {
        ignore_exit_codes: true,
        ignore_user_faults: true,
    };
    assert_fails_with(
        &expecting("bad-read", both, &[expected]),
        &run_output("bad-read", &core),
        "failed to match",
    );
}

#[test]
fn exec_missing_accepts_its_four_forms_and_not_an_exit_line_alone() {
    let case = catalogue_case("userprog/exec-missing");
    let (begin, load, exec, killed) = (
        "(exec-missing) begin",
        "load: no-such-file: open failed",
        "(exec-missing) exec(\"no-such-file\"): -1",
        "no-such-file: exit(-1)",
    );
    let tail = ["(exec-missing) end", "exec-missing: exit(0)"];
    let forms: [&[&str]; 4] = [
        &[begin, load, exec],
        &[begin, exec],
        &[begin, load, killed, exec],
        &[begin, load, exec, killed],
    ];
    for form in forms {
        let core: Vec<&str> = form.iter().chain(&tail).copied().collect();
        assert_passes(&case, &run_output("exec-missing", &core));
    }
    let exit_line_alone: Vec<&str> = [begin, killed, exec].iter().chain(&tail).copied().collect();
    assert_fails_with(
        &case,
        &run_output("exec-missing", &exit_line_alone),
        "failed to match",
    );
}

#[test]
fn multi_child_fd_accepts_both_outcomes_of_the_child() {
    let case = catalogue_case("userprog/multi-child-fd");
    let (before, after) = (
        [
            "(multi-child-fd) begin",
            "(multi-child-fd) open \"sample.txt\"",
            "(child-close) begin",
        ],
        [
            "(multi-child-fd) verified contents of \"sample.txt\"",
            "(multi-child-fd) end",
            "multi-child-fd: exit(0)",
        ],
    );
    let closed_harmlessly = [
        "(child-close) end",
        "child-close: exit(0)",
        "(multi-child-fd) wait(exec()) = 0",
    ];
    let killed = [
        "child-close: exit(-1)",
        "(multi-child-fd) wait(exec()) = -1",
    ];
    for middle in [&closed_harmlessly[..], &killed[..]] {
        let core: Vec<&str> = before.iter().chain(middle).chain(&after).copied().collect();
        assert_passes(&case, &run_output("multi-child-fd", &core));
    }
    let mixed: Vec<&str> = before
        .iter()
        .chain(&["child-close: exit(-1)", "(multi-child-fd) wait(exec()) = 0"])
        .chain(&after)
        .copied()
        .collect();
    let verdict = check(&case, &run_output("multi-child-fd", &mixed), true);
    assert!(!verdict.passed);
    let diff = verdict.diff.expect("a diff");
    assert!(
        diff.contains("acceptable output 2 of 2, the closest"),
        "{diff}"
    );
    assert!(
        diff.contains("-(multi-child-fd) wait(exec()) = -1\n+(multi-child-fd) wait(exec()) = 0\n"),
        "{diff}"
    );
}

#[test]
fn process_death_wants_begin_first_a_kill_and_no_end() {
    let case = case("pt-bad-addr", Checker::ProcessDeath);
    let mut core = vec!["(pt-bad-addr) begin"];
    core.extend(USER_FAULT_REPORT);
    core.push("pt-bad-addr: exit(-1)");
    assert_passes(&case, &run_output("pt-bad-addr", &core));
    assert_fails_with(
        &case,
        &run_output("pt-bad-addr", &core[1..]),
        "First line of output is not `(pt-bad-addr) begin'",
    );
    assert_fails_with(
        &case,
        &run_output("pt-bad-addr", &core[..core.len() - 1]),
        "missing 'pt-bad-addr: exit(-1)'",
    );
    let survived = [
        "(pt-bad-addr) begin",
        "pt-bad-addr: exit(-1)",
        "(pt-bad-addr) end",
    ];
    assert_fails_with(
        &case,
        &run_output("pt-bad-addr", &survived),
        "contains '(pt-bad-addr) end'",
    );
}

/// What the kernel prints for a run that calls `halt`: no end of execution, no resource lines.
fn halt_output(core: &[&str]) -> String {
    let mut lines = vec![
        "Pintos booting with 3,968 kB RAM...",
        "Boot complete.",
        "Executing 'halt':",
    ];
    lines.extend(core);
    lines.extend(["Timer: 50 ticks", "Powering off..."]);
    lines.iter().map(|line| format!("{line}\n")).collect()
}

#[test]
fn halt_needs_its_begin_line_and_no_fail_line() {
    let case = case("halt", Checker::Halt);
    assert_passes(&case, &halt_output(&["(halt) begin"]));
    assert_fails_with(&case, &halt_output(&[]), "missing 'begin' message");
    assert_fails_with(
        &case,
        &halt_output(&["(halt) begin", "(halt) fail"]),
        "halt didn't really halt",
    );
}

#[test]
fn a_kernel_test_runs_from_begin_to_end() {
    let case = case("threads-join", Checker::KernelTest);
    assert_passes(
        &case,
        &run_output(
            "ktest threads-join",
            &[
                "(threads-join) begin",
                "(threads-join) joined 3",
                "(threads-join) end",
            ],
        ),
    );
    assert_fails_with(
        &case,
        &run_output("ktest threads-join", &["(threads-join) begin"]),
        "Last line of output is not `(threads-join) end'",
    );
    assert_fails_with(
        &case,
        &run_output("ktest threads-join", &["(threads-join) end"]),
        "First line of output is not",
    );
}

fn panic_output(frame_function: &str) -> String {
    [
        "Pintos booting with 3,968 kB RAM...",
        "Boot complete.",
        "Executing 'ktest panic':",
        "(panic) begin",
        "Kernel PANIC at kernel/src/selftest.rs:40 in rintos_kernel::selftest::panic::run(): ktest panic: deliberate",
        "Call stack: 0xc0021f3a 0xc0020111 .",
        &format!("  0xc0021f3a in {frame_function} at kernel/src/selftest.rs:40"),
        "  0xc0020111 in rintos_kernel::main at kernel/src/main.rs:12",
    ]
    .iter()
    .map(|line| format!("{line}\n"))
    .collect()
}

#[test]
fn the_panic_test_passes_only_by_panicking_with_a_symbolized_frame() {
    let case = case("panic", deliberate_panic());
    let output = panic_output("rintos_kernel::selftest::panic::run");
    assert!(
        check(&case, &output, false).passed,
        "{:?}",
        check(&case, &output, false).reasons
    );
    let powered_off = check(&case, &output, true);
    assert!(!powered_off.passed && powered_off.reasons[0].contains("must end in a kernel panic"));
    let wrong_frame = check(&case, &panic_output("rintos_kernel::main"), false);
    assert!(
        !wrong_frame.passed
            && wrong_frame
                .reasons
                .iter()
                .any(|reason| reason.contains("symbolized"))
    );
    let other_message = check(&case, &output.replace("deliberate", "unexpected"), false);
    assert!(
        !other_message.passed
            && other_message
                .reasons
                .iter()
                .any(|reason| reason.contains("ktest panic: deliberate"))
    );
}

#[test]
fn an_abnormal_end_fails_every_other_test() {
    let verdict = check(&exit_case(), &run_output("exit", EXIT_CORE), false);
    assert!(!verdict.passed);
    assert!(
        verdict
            .reasons
            .iter()
            .any(|reason| reason.contains("did not power off cleanly"))
    );
}

#[test]
fn a_resource_leak_fails_the_test_and_names_the_key() {
    let leaked = run_output("exit", EXIT_CORE).replace(
        RESOURCES_END,
        &RESOURCES_END.replace("free-frames=367", "free-frames=365"),
    );
    let verdict = check(&exit_case(), &leaked, true);
    assert!(!verdict.passed);
    assert_eq!(
        verdict.reasons,
        ["Resource leak: free-frames was 367 at start, 365 at end"]
    );

    let missing_end = run_output("exit", EXIT_CORE).replace(&format!("{RESOURCES_END}\n"), "");
    assert_fails_with(&exit_case(), &missing_end, "No `Resources at end:' line");
    let other_keys =
        run_output("exit", EXIT_CORE).replace(" threads=2\nTimer", " processes=1\nTimer");
    assert_fails_with(&exit_case(), &other_keys, "different keys");
    // The same keys in another order are the same resources.
    let reordered = run_output("exit", EXIT_CORE).replace(
        RESOURCES_END,
        "Resources at end: threads=2 open-files=0 free-swap-slots=1024 free-frames=367",
    );
    assert_passes(&exit_case(), &reordered);
}

#[test]
fn resources_are_not_required_where_the_run_never_returns() {
    assert_passes(
        &case("halt", Checker::Halt),
        &halt_output(&["(halt) begin"]),
    );
    let output = panic_output("rintos_kernel::selftest::panic::run");
    assert!(!output.contains("Resources at"));
    assert!(check(&case("panic", deliberate_panic()), &output, false).passed);
}

fn deliberate_panic() -> Checker {
    Checker::KernelPanic { message: "ktest panic: deliberate".into(), frame: "selftest::panic".into() }
}
