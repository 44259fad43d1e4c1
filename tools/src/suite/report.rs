//! The closing report of a suite run: passes and failures per directory, and the grade the
//! classic `make grade` would give (docs/testing.md, "The classic grading"). A rubric's score
//! is its points earned over its points possible, times its share of the grade; tests in no
//! rubric weigh nothing.

use super::TestCase;

/// A classic `Grading` file: each rubric's share of the total, in percent.
struct Grading {
    column: &'static str,
    description: &'static str,
    shares: &'static [(&'static str, f64)],
}

const GRADINGS: [Grading; 2] = [
    Grading {
        column: "Project 3",
        description: "vm/Grading, for the VM build this suite runs",
        shares: &[
            ("tests/vm/Rubric.functionality", 50.0),
            ("tests/vm/Rubric.robustness", 15.0),
            ("tests/userprog/Rubric.functionality", 10.0),
            ("tests/userprog/Rubric.robustness", 5.0),
            ("tests/filesys/base/Rubric", 20.0),
        ],
    },
    Grading {
        column: "Project 2",
        description: "userprog/Grading, for comparison",
        shares: &[
            ("tests/userprog/Rubric.functionality", 35.0),
            ("tests/userprog/Rubric.robustness", 25.0),
            ("tests/userprog/no-vm/Rubric", 10.0),
            ("tests/filesys/base/Rubric", 30.0),
        ],
    },
];

/// Points earned and possible, over some set of tests.
#[derive(Default, Clone, Copy)]
struct Points {
    earned: u32,
    possible: u32,
}

/// Sums the rubric points of the `results` that `counts` selects.
fn points(results: &[(&TestCase, bool)], counts: impl Fn(&TestCase) -> bool) -> Points {
    let weighed = results.iter().filter(|(case, _)| counts(case));
    weighed.fold(Points::default(), |sum, (case, passed)| {
        let points = case.rubric.as_ref().map_or(0, |weight| weight.points);
        Points {
            earned: sum.earned + if *passed { points } else { 0 },
            possible: sum.possible + points,
        }
    })
}

fn in_rubric(rubric: &str) -> impl Fn(&TestCase) -> bool {
    move |case| {
        case.rubric
            .as_ref()
            .is_some_and(|weight| weight.rubric == rubric)
    }
}

/// What `grading` gives the rubrics that `in_scope` selects: (score, the share they could get),
/// in percent of the total. A rubric none of whose tests ran scores nothing and could get nothing.
fn grade(
    grading: &Grading,
    results: &[(&TestCase, bool)],
    in_scope: impl Fn(&str) -> bool,
) -> (f64, f64) {
    grading
        .shares
        .iter()
        .filter(|(rubric, _)| in_scope(rubric))
        .fold((0.0, 0.0), |(score, share), (rubric, percent)| {
            let points = points(results, in_rubric(rubric));
            if points.possible == 0 {
                (score, share)
            } else {
                (
                    score + percent * f64::from(points.earned) / f64::from(points.possible),
                    share + percent,
                )
            }
        })
}

fn grade_cell((score, share): (f64, f64)) -> String {
    if share == 0.0 {
        "-".into()
    } else {
        format!("{score:.1}/{share:.0}%")
    }
}

/// The per-directory table with the classic grades, the failed tests, and a closing line
/// `N passed, M failed`.
pub fn report(results: &[(&TestCase, bool)]) -> String {
    let mut directories: Vec<&str> = Vec::new();
    for (case, _) in results {
        if !directories.contains(&case.dir.as_str()) {
            directories.push(&case.dir);
        }
    }
    let header = [
        "Directory",
        "Passed",
        "Failed",
        "Points",
        GRADINGS[0].column,
        GRADINGS[1].column,
    ];
    let mut rows: Vec<[String; 6]> = vec![header.map(String::from)];
    for dir in &directories {
        let in_dir = |case: &TestCase| case.dir == *dir;
        let count = results.iter().filter(|(case, _)| in_dir(case)).count();
        let passed = results
            .iter()
            .filter(|(case, passed)| in_dir(case) && *passed)
            .count();
        let points = points(results, in_dir);
        let rubric_prefix = format!("tests/{dir}/");
        // A rubric of directory `userprog` is tests/userprog/X, not tests/userprog/no-vm/X.
        let in_this_dir = |rubric: &str| {
            rubric
                .strip_prefix(&rubric_prefix)
                .is_some_and(|file| !file.contains('/'))
        };
        rows.push([
            dir.to_string(),
            passed.to_string(),
            (count - passed).to_string(),
            format!("{}/{}", points.earned, points.possible),
            grade_cell(grade(&GRADINGS[0], results, in_this_dir)),
            grade_cell(grade(&GRADINGS[1], results, in_this_dir)),
        ]);
    }
    let passed = results.iter().filter(|(_, passed)| *passed).count();
    let failed = results.len() - passed;
    rows.push([
        "Total".into(),
        passed.to_string(),
        failed.to_string(),
        String::new(),
        grade_cell(grade(&GRADINGS[0], results, |_| true)),
        grade_cell(grade(&GRADINGS[1], results, |_| true)),
    ]);

    let widths: Vec<usize> = (0..6)
        .map(|column| rows.iter().map(|row| row[column].len()).max().unwrap_or(0))
        .collect();
    let mut lines: Vec<String> = rows
        .iter()
        .map(|row| {
            let cells = row
                .iter()
                .zip(&widths)
                .skip(1)
                .map(|(cell, width)| format!("  {cell:>width$}"));
            format!(
                "{:<width$}{}",
                row[0],
                cells.collect::<String>(),
                width = widths[0]
            )
            .trim_end()
            .to_string()
        })
        .collect();
    for grading in &GRADINGS {
        let shares: Vec<String> = grading
            .shares
            .iter()
            .map(|(rubric, percent)| format!("{rubric} {percent:.0}%"))
            .collect();
        lines.push(format!(
            "{}: {} ({}).",
            grading.column,
            grading.description,
            shares.join(", ")
        ));
    }
    lines.push(
        "Points and grades count only the tests that ran; tests in no rubric weigh nothing.".into(),
    );
    let failures: Vec<String> = results
        .iter()
        .filter(|(_, passed)| !passed)
        .map(|(case, _)| case.id())
        .collect();
    if !failures.is_empty() {
        lines.push(format!("Failed: {}", failures.join(", ")));
    }
    lines.push(format!("{passed} passed, {failed} failed"));
    lines.iter().map(|line| format!("{line}\n")).collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::report;
    use crate::suite::{Catalogue, TestCase};

    /// The classic directories only: their sizes and rubrics are the classic suite's
    /// (docs/testing.md, "The classic grading"), while Rintos' own directories grow.
    fn catalogue() -> Catalogue {
        let mut catalogue = Catalogue::load(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("the catalogue loads");
        catalogue.cases.retain(|case| ["userprog", "userprog/no-vm", "vm", "filesys/base"].contains(&case.dir.as_str()));
        catalogue
    }

    fn report_with_failures(catalogue: &Catalogue, failed: &[&str]) -> String {
        let results: Vec<(&TestCase, bool)> = catalogue
            .cases
            .iter()
            .map(|case| (case, !failed.contains(&case.id().as_str())))
            .collect();
        report(&results)
    }

    fn row<'a>(report: &'a str, first_cell: &str) -> Vec<&'a str> {
        let line = report
            .lines()
            .find(|line| line.split("  ").next() == Some(first_cell))
            .expect("a row");
        line.split_whitespace().collect()
    }

    #[test]
    fn a_clean_run_earns_every_grade() {
        let catalogue = catalogue();
        let report = report_with_failures(&catalogue, &[]);
        assert_eq!(
            row(&report, "userprog"),
            ["userprog", "66", "0", "196/196", "15.0/15%", "60.0/60%"]
        );
        assert_eq!(
            row(&report, "vm"),
            ["vm", "34", "0", "83/83", "65.0/65%", "-"]
        );
        assert_eq!(
            row(&report, "Total"),
            ["Total", "114", "0", "100.0/100%", "100.0/100%"]
        );
        assert_eq!(report.lines().last(), Some("114 passed, 0 failed"));
    }

    #[test]
    fn a_failure_costs_its_share_of_its_rubric() {
        let catalogue = catalogue();
        let report =
            report_with_failures(&catalogue, &["vm/page-linear", "userprog/sc-boundary-3"]);
        // page-linear is 3 of the 55 points that make vm functionality's 50%.
        assert_eq!(
            row(&report, "vm"),
            ["vm", "33", "1", "80/83", "62.3/65%", "-"]
        );
        // sc-boundary-3 is in no rubric: a failure, but no points lost.
        assert_eq!(
            row(&report, "userprog"),
            ["userprog", "65", "1", "196/196", "15.0/15%", "60.0/60%"]
        );
        assert_eq!(
            row(&report, "Total"),
            ["Total", "112", "2", "97.3/100%", "100.0/100%"]
        );
        assert!(report.contains("Failed: userprog/sc-boundary-3, vm/page-linear\n"));
        assert_eq!(report.lines().last(), Some("112 passed, 2 failed"));
    }
}
