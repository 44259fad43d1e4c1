//! The catalogue writes an expected output as plain text, one expected line per line. Long
//! regular outputs may be written compactly with two devices, so that a reader still sees their
//! shape:
//!
//! - A range `{A..B}` (A and B both integers or both single letters, counting up or down) makes
//!   its line stand for one line per value: `sort chunk {0..7}` is eight lines. Several ranges in
//!   one line advance together and must be equally long.
//! - Lines between `{repeat}` and `{end}` repeat as a group, their ranges advancing once per
//!   round; `{repeat N}` repeats a group N times (for a group without ranges).
//!
//! Numbers that vary from run to run (counters a tool prints) are matched, not expanded: a
//! number field `{N..}` in an expected line matches a decimal number of at least N, with any
//! spaces before it, so that a right-aligned column matches whatever its width; `{0..}` is
//! any number. Ranges are expanded first, so a line may hold both.
//!
//! Any other text, braces included, is literal.

use std::ops::RangeInclusive;
use std::sync::LazyLock;

use regex::Regex;

static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\{(-?[0-9]+|[A-Za-z])\.\.(-?[0-9]+|[A-Za-z])\}").expect("valid regex")
});
static REPEAT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\{repeat(?: ([0-9]+))?\}$").expect("valid regex"));
const END: &str = "{end}";
static NUMBER_FIELD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{([0-9]+)\.\.\}").expect("valid regex"));

/// Expands a template into the exact lines it stands for.
pub fn expand(template: &str) -> Result<Vec<String>, String> {
    let mut expanded = Vec::new();
    let mut lines = template.split_terminator('\n');
    while let Some(line) = lines.next() {
        if let Some(repeat) = REPEAT.captures(line) {
            let rounds = repeat
                .get(1)
                .map(|count| count.as_str().parse::<usize>())
                .transpose();
            let rounds = rounds.map_err(|error| format!("bad count in `{line}`: {error}"))?;
            let mut group = Vec::new();
            loop {
                match lines.next() {
                    Some(END) => break,
                    Some(inner) if REPEAT.is_match(inner) => {
                        return Err(format!("`{inner}` inside a group"));
                    }
                    Some(inner) => group.push(inner),
                    None => return Err(format!("`{line}` without `{END}`")),
                }
            }
            expanded.extend(expand_group(&group, Repeat::Group(rounds))?);
        } else if line == END {
            return Err(format!("`{END}` without `{{repeat}}`"));
        } else {
            expanded.extend(expand_group(&[line], Repeat::Line)?);
        }
    }
    Ok(expanded)
}

/// Whether `actual` is the expanded line `expected`: the same text, where each number field
/// `{N..}` of `expected` stands for spaces and a number of at least N.
pub fn line_matches(expected: &str, actual: &str) -> bool {
    if !NUMBER_FIELD.is_match(expected) {
        return expected == actual;
    }
    let mut pattern = String::from("^");
    let mut bounds = Vec::new();
    let mut text_start = 0;
    for field in NUMBER_FIELD.captures_iter(expected) {
        let whole = field.get(0).expect("group 0 always matches");
        pattern.push_str(&regex::escape(&expected[text_start..whole.start()]));
        pattern.push_str(" *([0-9]+)");
        bounds.push(field.get(1).expect("the bound is in the pattern").as_str());
        text_start = whole.end();
    }
    pattern.push_str(&regex::escape(&expected[text_start..]));
    pattern.push('$');
    let Some(numbers) = Regex::new(&pattern)
        .expect("escaped text and fields make a valid regex")
        .captures(actual)
    else {
        return false;
    };
    bounds
        .iter()
        .zip(numbers.iter().skip(1).flatten())
        .all(|(bound, number)| at_least(number.as_str(), bound))
}

/// Whether the decimal digits `number` are at least `bound`, at any length.
fn at_least(number: &str, bound: &str) -> bool {
    let (number, bound) = (
        number.trim_start_matches('0'),
        bound.trim_start_matches('0'),
    );
    (number.len(), number) >= (bound.len(), bound)
}

/// One piece of a template line: literal text, or a range's values in order.
enum Piece<'a> {
    Text(&'a str),
    Range(Vec<String>),
}

/// How lines repeat: a line on its own, or a `{repeat}` group with or without a count.
enum Repeat {
    Line,
    Group(Option<usize>),
}

/// Expands lines that repeat together: as often as a group's count says, else as often as their
/// ranges have values (once for a line without ranges).
fn expand_group(lines: &[&str], repeat: Repeat) -> Result<Vec<String>, String> {
    let parsed: Vec<Vec<Piece>> = lines
        .iter()
        .map(|line| parse_line(line))
        .collect::<Result<_, _>>()?;
    let mut range_lengths = parsed.iter().flatten().filter_map(|piece| match piece {
        Piece::Range(values) => Some(values.len()),
        Piece::Text(_) => None,
    });
    let rounds = match (repeat, range_lengths.next()) {
        (Repeat::Group(Some(count)), _) => count,
        (_, Some(length)) => length,
        (Repeat::Line, None) => 1,
        (Repeat::Group(None), None) => {
            return Err(format!(
                "`{{repeat}}` group without a range or a count: {lines:?}"
            ));
        }
    };
    if parsed
        .iter()
        .flatten()
        .any(|piece| matches!(piece, Piece::Range(values) if values.len() != rounds))
    {
        return Err(format!(
            "ranges of different lengths (or not {rounds} long) in {lines:?}"
        ));
    }
    let render = |pieces: &[Piece], round: usize| -> String {
        pieces
            .iter()
            .map(|piece| match piece {
                Piece::Text(text) => *text,
                Piece::Range(values) => &values[round],
            })
            .collect()
    };
    Ok((0..rounds)
        .flat_map(|round| parsed.iter().map(move |pieces| render(pieces, round)))
        .collect())
}

fn parse_line(line: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut pieces = Vec::new();
    let mut text_start = 0;
    for range in RANGE.captures_iter(line) {
        let whole = range.get(0).expect("group 0 always matches");
        pieces.push(Piece::Text(&line[text_start..whole.start()]));
        pieces.push(Piece::Range(
            range_values(&range[1], &range[2]).map_err(|error| format!("{error} in `{line}`"))?,
        ));
        text_start = whole.end();
    }
    pieces.push(Piece::Text(&line[text_start..]));
    Ok(pieces)
}

fn range_values(from: &str, to: &str) -> Result<Vec<String>, String> {
    match (from.parse::<i64>(), to.parse::<i64>()) {
        (Ok(from), Ok(to)) => Ok(counting(from, to).iter().map(i64::to_string).collect()),
        (Err(_), Err(_)) => {
            let (from, to) = (from.as_bytes()[0], to.as_bytes()[0]);
            if from.is_ascii_lowercase() != to.is_ascii_lowercase() {
                return Err(format!(
                    "range mixes cases: {}..{}",
                    from as char, to as char
                ));
            }
            Ok(counting(from, to)
                .into_iter()
                .map(|letter| char::from(letter).to_string())
                .collect())
        }
        _ => Err(format!("range mixes a number and a letter: {from}..{to}")),
    }
}

/// The values from `from` to `to` inclusive, counting down if `to` is the smaller.
fn counting<T: Copy + PartialOrd>(from: T, to: T) -> Vec<T>
where
    RangeInclusive<T>: DoubleEndedIterator<Item = T>,
{
    if from <= to {
        (from..=to).collect()
    } else {
        (to..=from).rev().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{expand, line_matches};

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(String::from).collect()
    }

    #[test]
    fn plain_text_is_taken_line_by_line() {
        assert_eq!(
            expand("(t) begin\n(t) {weird} text\n\n(t) end\n").unwrap(),
            lines("(t) begin\n(t) {weird} text\n\n(t) end")
        );
    }

    #[test]
    fn a_range_repeats_its_line_and_ranges_advance_together() {
        assert_eq!(
            expand("(p) exec child {1..3} of 3: \"c {0..2}\"\n(p) x {c..a}\n").unwrap(),
            lines(
                "(p) exec child 1 of 3: \"c 0\"\n(p) exec child 2 of 3: \"c 1\"\n(p) exec child 3 of 3: \"c 2\"\n(p) x c\n(p) x b\n(p) x a"
            )
        );
    }

    #[test]
    fn groups_repeat_with_ranges_or_a_count() {
        let template =
            "{repeat}\nbegin {2..1}\nexec {1..0}\n{end}\nmiddle\n{repeat 2}\nsame\n{end}\n";
        assert_eq!(
            expand(template).unwrap(),
            lines("begin 2\nexec 1\nbegin 1\nexec 0\nmiddle\nsame\nsame")
        );
    }

    #[test]
    fn malformed_templates_are_rejected() {
        for bad in [
            "{repeat}\nno range\n{end}\n",
            "{repeat}\n{0..3}\n",
            "{end}\n",
            "{0..3} and {0..2}\n",
            "{repeat 3}\n{0..1}\n{end}\n",
            "{a..Z}\n",
            "{1..b}\n",
            "{repeat}\n{repeat}\n{end}\n",
        ] {
            assert!(expand(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn a_number_field_matches_a_right_aligned_number_of_at_least_its_bound() {
        let row = "{1..} touch-pages {64..} {0..}";
        assert!(line_matches(row, "    4 touch-pages          70        0"));
        assert!(line_matches(
            row,
            "1 touch-pages 64 12345678901234567890123"
        ));
        assert!(line_matches(row, "    4 touch-pages 064 0"));
        for wrong in [
            "    4 touch-pages          63        0",
            "    0 touch-pages          70        0",
            "    4 touch-pages          70        -",
            "    4 touch-pages          70        0 ",
            "    4 touch-pages          70",
            "    4 touch-pagesX         70        0",
            "    4 touch-pages         7.0        0",
            "    4 touch-pages          -70       0",
        ] {
            assert!(!line_matches(row, wrong), "{row:?} matched {wrong:?}");
        }
    }

    #[test]
    fn lines_without_fields_compare_exactly_and_ranges_expand_before_fields() {
        assert!(line_matches("(t) {weird} 3.*", "(t) {weird} 3.*"));
        assert!(!line_matches("(t) {weird} 3.*", "(t) {weird} 3x"));
        assert!(!line_matches("(t) {1..}", "(t) {1..}"));
        let lines = expand("child {1..2}: {2..} pages\n").unwrap();
        assert_eq!(lines, ["child 1: {2..} pages", "child 2: {2..} pages"]);
        assert!(line_matches(&lines[1], "child 2:   17 pages"));
        assert!(!line_matches(&lines[1], "child 2: 1 pages"));
    }
}
