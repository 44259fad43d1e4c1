//! Judging a run's output. The user-program checkers follow the classic `src/tests/tests.pm`
//! (docs/abi.md, "How the classic checkers judge a run") rule by rule, with its messages; the
//! kernel-test checkers and the resource-leak check are Rintos' own (docs/testing.md, "How a
//! case is judged").

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use similar::TextDiff;

use super::{Checker, Filters, TestCase, expect};

/// The outcome of judging one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub passed: bool,
    /// Why the test failed, one message per broken rule (empty when it passed).
    pub reasons: Vec<String>,
    /// A unified diff between the closest acceptable output and the actual core output, when
    /// the core output matched none of them.
    pub diff: Option<String>,
}

/// Judges `output`, the whole console output of one run of `case`; `clean_exit` tells whether
/// the runner saw the machine power off cleanly.
pub fn check(case: &TestCase, output: &str, clean_exit: bool) -> Verdict {
    // Like the classic checker's `chomp`: a line ends at `\n` and keeps any `\r`.
    let lines: Vec<&str> = output.split_terminator('\n').collect();
    let just = |reasons| Findings {
        reasons,
        diff: None,
    };
    let mut findings = match &case.checker {
        Checker::Expected {
            alternatives,
            filters,
        } => returning_run(&lines, |core| compare_output(core, *filters, alternatives)),
        Checker::ProcessDeath => {
            returning_run(&lines, |core| just(process_death(&case.name, core)))
        }
        Checker::KernelTest => returning_run(&lines, |core| just(kernel_test(&case.name, core))),
        Checker::Halt => just([common_checks(&lines), halt(&case.name, &lines)].concat()),
        Checker::KernelPanic { message, frame } => just(kernel_panic(&lines, clean_exit, message, frame)),
    };
    if !clean_exit && !matches!(case.checker, Checker::KernelPanic { .. }) {
        findings.reasons.push(
            "The runner reported an abnormal end: the machine did not power off cleanly".into(),
        );
    }
    Verdict {
        passed: findings.reasons.is_empty(),
        reasons: findings.reasons,
        diff: findings.diff,
    }
}

/// What a check found wrong: its reasons, and a diff when an output matched no expected one.
struct Findings {
    reasons: Vec<String>,
    diff: Option<String>,
}

/// The checks of a run that returns from its action: the common checks, `judge_core`'s rules on
/// the core output, and no resource leaked in between.
fn returning_run(lines: &[&str], judge_core: impl FnOnce(&[&str]) -> Findings) -> Findings {
    let mut reasons = common_checks(lines);
    match core_output(lines) {
        Ok(core) => {
            let core_findings = judge_core(core);
            reasons.extend(core_findings.reasons);
            reasons.extend(resource_leaks(lines));
            Findings {
                reasons,
                diff: core_findings.diff,
            }
        }
        Err(reason) => {
            reasons.push(reason);
            Findings {
                reasons,
                diff: None,
            }
        }
    }
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid regex")
}

static BOOTING: LazyLock<Regex> = LazyLock::new(|| regex(r"Pintos booting with.*kB RAM\.\.\."));
static TIMER: LazyLock<Regex> = LazyLock::new(|| regex(r"Timer: [0-9]+ ticks"));
static EXECUTING: LazyLock<Regex> = LazyLock::new(|| regex(r"^Executing '(\S+).*':$"));
static EXECUTION_COMPLETE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^Execution of '.*' complete.$"));
static EXIT_LINE: LazyLock<Regex> = LazyLock::new(|| regex(r"^[a-zA-Z0-9_-]+: exit\(-?[0-9]+\)$"));
/// The kernel's report of a page fault in user context, line by line. A fault "in kernel
/// context" is a kernel bug and is deliberately not among them.
static USER_FAULT_LINES: LazyLock<[Regex; 7]> = LazyLock::new(|| {
    [
        regex(r"^Page fault at.*in user context\.$"),
        regex(r": dying due to interrupt 0x0e \(.*\).$"),
        regex(r"^Interrupt 0x0e \(.*\) at eip="),
        regex(r"^ cr2=.* error=.*"),
        regex(r"^ eax=.* ebx=.* ecx=.* edx=.*"),
        regex(r"^ esi=.* edi=.* esp=.* ebp=.*"),
        regex(r"^ cs=.* ds=.* es=.* ss=.*"),
    ]
});
static SYMBOLIZED_FRAME: LazyLock<Regex> = LazyLock::new(|| regex(r"^\s+0x[0-9a-fA-F]+ in (.*)"));

/// The checks every classic checker starts with, on the whole output (`common_checks`).
fn common_checks(lines: &[&str]) -> Vec<String> {
    if lines.is_empty() {
        return vec!["Run produced no output at all".into()];
    }
    let mut reasons = Vec::new();
    if let Some(panic) = lines
        .iter()
        .find_map(|line| line.find("PANIC").map(|at| &line[at..]))
    {
        reasons.push(format!("Kernel panic in run: {panic}"));
    }
    reasons.extend(keyword_line("FAIL", lines));
    let boots = lines
        .iter()
        .filter(|line| line.contains("Pintos booting"))
        .count();
    if boots > 1 {
        reasons.push(format!(
            "Run spontaneously rebooted {} times (most often caused by an unhandled fault in the kernel)",
            boots - 1
        ));
    }
    reasons.extend(keyword_line("TIMEOUT", lines));
    let required = [
        (
            lines.iter().any(|line| BOOTING.is_match(line)),
            "Run didn't start up properly: no \"Pintos booting\" message",
        ),
        (
            lines.iter().any(|line| line.contains("Boot complete")),
            "Run didn't start up properly: no \"Boot complete\" message",
        ),
        (
            lines.iter().any(|line| TIMER.is_match(line)),
            "Run didn't shut down properly: no \"Timer: # ticks\" message",
        ),
        (
            lines.iter().any(|line| line.contains("Powering off")),
            "Run didn't shut down properly: no \"Powering off\" message",
        ),
    ];
    reasons.extend(
        required
            .iter()
            .filter(|(present, _)| !present)
            .map(|(_, message)| message.to_string()),
    );
    reasons
}

/// The first line containing `keyword`, without the `(test) ` prefix most lines carry.
fn keyword_line(keyword: &str, lines: &[&str]) -> Option<String> {
    static TEST_PREFIX: LazyLock<Regex> = LazyLock::new(|| regex(r"^\([^)]+\)\s+"));
    let line = lines.iter().find(|line| line.contains(keyword))?;
    Some(format!("run: {}", TEST_PREFIX.replace(line, "")))
}

/// The lines strictly between the first `Executing '…':` line and the first later
/// `Execution of '…' complete.` line (`get_core_output`).
fn core_output<'a>(lines: &'a [&'a str]) -> Result<&'a [&'a str], String> {
    let (start, process) = lines
        .iter()
        .enumerate()
        .find_map(|(index, line)| {
            EXECUTING
                .captures(line)
                .map(|captures| (index + 1, captures[1].to_string()))
        })
        .ok_or("Run didn't start a thread or process")?;
    let length = lines[start..]
        .iter()
        .position(|line| EXECUTION_COMPLETE.is_match(line))
        .ok_or_else(|| format!("Run started '{process}' but it never finished"))?;
    Ok(&lines[start..start + length])
}

/// `compare_output`: the core output, less the lines the filters drop, must equal one of the
/// acceptable outputs exactly.
fn compare_output(core: &[&str], filters: Filters, alternatives: &[Vec<String>]) -> Findings {
    if core.is_empty() {
        return Findings {
            reasons: vec!["Run didn't produce any output".into()],
            diff: None,
        };
    }
    let actual: Vec<&str> = core
        .iter()
        .copied()
        .filter(|line| !(filters.ignore_exit_codes && EXIT_LINE.is_match(line)))
        .filter(|line| {
            !(filters.ignore_user_faults
                && USER_FAULT_LINES.iter().any(|fault| fault.is_match(line)))
        })
        .collect();
    if alternatives.iter().any(|expected| {
        expected.len() == actual.len()
            && expected
                .iter()
                .zip(&actual)
                .all(|(expected, actual)| expect::line_matches(expected, actual))
    }) {
        return Findings {
            reasons: Vec::new(),
            diff: None,
        };
    }
    let mut reasons = vec!["Test output failed to match any acceptable form.".to_string()];
    if filters.ignore_exit_codes {
        reasons.push("(Process exit codes are excluded for matching purposes.)".into());
    }
    if filters.ignore_user_faults {
        reasons.push("(User fault messages are excluded for matching purposes.)".into());
    }
    Findings {
        reasons,
        diff: closest_diff(&actual, alternatives),
    }
}

/// A unified diff from the acceptable output most similar to `actual`, with the whole output as
/// context, as the classic checker prints it. An expected line with number fields that matches
/// the actual line in its place is shown as that line, so that only real differences show.
fn closest_diff(actual: &[&str], alternatives: &[Vec<String>]) -> Option<String> {
    let actual_text = as_text(actual.iter().copied());
    let expected_texts: Vec<String> = alternatives
        .iter()
        .map(|lines| {
            as_text(
                lines
                    .iter()
                    .enumerate()
                    .map(|(index, expected)| as_matched(expected, actual.get(index).copied())),
            )
        })
        .collect();
    let similarity = |expected: &String| TextDiff::from_lines(expected, &actual_text).ratio();
    let (index, closest) = expected_texts
        .iter()
        .enumerate()
        .max_by(|(_, left), (_, right)| similarity(left).total_cmp(&similarity(right)))?;
    let expected_name = match alternatives.len() {
        1 => "expected".to_string(),
        count => format!(
            "expected (acceptable output {} of {count}, the closest)",
            index + 1
        ),
    };
    let diff = TextDiff::from_lines(closest, &actual_text);
    let context = alternatives[index].len().max(actual.len());
    Some(
        diff.unified_diff()
            .context_radius(context)
            .header(&expected_name, "actual")
            .to_string(),
    )
}

/// `expected` as the diff shows it: the actual line in its place if it matches.
fn as_matched<'a>(expected: &'a str, actual: Option<&'a str>) -> &'a str {
    match actual {
        Some(line) if expect::line_matches(expected, line) => line,
        _ => expected,
    }
}

fn as_text<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    lines.map(|line| format!("{line}\n")).collect()
}

/// `check_process_death` (`src/tests/vm/process_death.pm`).
fn process_death(name: &str, core: &[&str]) -> Vec<String> {
    let mut reasons = Vec::new();
    let begin = format!("({name}) begin");
    if core.first() != Some(&begin.as_str()) {
        reasons.push(format!("First line of output is not `{begin}' message."));
    }
    let killed = format!("{name}: exit(-1)");
    if !core.contains(&killed.as_str()) {
        reasons.push(format!("Output missing '{killed}' message."));
    }
    let end = format!("({name}) end");
    if core.iter().any(|line| line.contains(&end)) {
        reasons.push(format!("Output contains '{end}' message."));
    }
    reasons
}

/// halt.ck: on the whole output, the program started and did not go on after `halt`.
fn halt(name: &str, lines: &[&str]) -> Vec<String> {
    let mut reasons = Vec::new();
    if !lines.contains(&format!("({name}) begin").as_str()) {
        reasons.push("missing 'begin' message".into());
    }
    if lines.contains(&format!("({name}) fail").as_str()) {
        reasons.push("found 'fail' message--halt didn't really halt".into());
    }
    reasons
}

/// An in-kernel test's core output runs from `(NAME) begin` to `(NAME) end`.
fn kernel_test(name: &str, core: &[&str]) -> Vec<String> {
    let mut reasons = Vec::new();
    let begin = format!("({name}) begin");
    if core.first() != Some(&begin.as_str()) {
        reasons.push(format!("First line of output is not `{begin}' message."));
    }
    let end = format!("({name}) end");
    if core.last() != Some(&end.as_str()) {
        reasons.push(format!("Last line of output is not `{end}' message."));
    }
    reasons
}

/// The `panic` kernel test passes by panicking: the machine must boot once, start the test,
/// panic with the test's message, and the runner must show a symbolized frame of the test.
fn kernel_panic(lines: &[&str], clean_exit: bool, message: &str, frame: &str) -> Vec<String> {
    let mut reasons = Vec::new();
    if clean_exit {
        reasons.push(
            "The machine powered off cleanly, but this test must end in a kernel panic".into(),
        );
    }
    let boots = lines
        .iter()
        .filter(|line| line.contains("Pintos booting"))
        .count();
    let booted = boots == 1
        && lines.iter().any(|line| BOOTING.is_match(line))
        && lines.iter().any(|line| line.contains("Boot complete"));
    if !booted {
        reasons.push(format!(
            "Run didn't start up properly: {boots} \"Pintos booting\" messages, or no \"Boot complete\""
        ));
    }
    reasons.extend(keyword_line("TIMEOUT", lines));
    if !lines.iter().any(|line| EXECUTING.is_match(line)) {
        reasons.push("Run didn't start a thread or process".into());
    }
    if !lines
        .iter()
        .any(|line| line.contains("Kernel PANIC at") && line.contains(message))
    {
        reasons.push(format!("No `Kernel PANIC at …: {message}' line"));
    }
    let symbolized = lines.iter().filter_map(|line| SYMBOLIZED_FRAME.captures(line));
    if !symbolized.into_iter().any(|captures| captures[1].contains(frame)) {
        reasons.push(format!("No symbolized call-stack line in `{frame}' after the panic"));
    }
    reasons
}

/// The kernel's two resource lines after a run must have the same keys and equal values.
fn resource_leaks(lines: &[&str]) -> Vec<String> {
    let resources = |prefix: &str| -> Result<BTreeMap<&str, &str>, String> {
        let line = lines
            .iter()
            .find_map(|line| line.strip_prefix(prefix))
            .ok_or_else(|| format!("No `{prefix}' line after the run"))?;
        line.split_whitespace()
            .map(|entry| {
                entry
                    .split_once('=')
                    .ok_or_else(|| format!("Malformed `{entry}' in `{prefix}' line"))
            })
            .collect()
    };
    let (start, end) = match (
        resources("Resources at start:"),
        resources("Resources at end:"),
    ) {
        (Ok(start), Ok(end)) => (start, end),
        (start, end) => return [start.err(), end.err()].into_iter().flatten().collect(),
    };
    if !start.keys().eq(end.keys()) {
        let keys = |resources: &BTreeMap<&str, &str>| {
            resources.keys().copied().collect::<Vec<_>>().join(" ")
        };
        return vec![format!(
            "Resource lines have different keys: start has `{}', end has `{}'",
            keys(&start),
            keys(&end)
        )];
    }
    start
        .iter()
        .zip(&end)
        .filter(|((_, at_start), (_, at_end))| at_start != at_end)
        .map(|((key, at_start), (_, at_end))| {
            format!("Resource leak: {key} was {at_start} at start, {at_end} at end")
        })
        .collect()
}

#[cfg(test)]
mod synthetic_runs;
