//! Words joined into one line that splits back into the same words: for a POSIX shell (the
//! QEMU command the runner echoes, the `cargo run -- ...` line that replays a failed case)
//! and for the kernel command line, whose splitter knows the shell's single quotes and
//! nothing else (docs/abi.md, "The kernel command line").

use std::borrow::Cow;

/// `word` as a shell reads it back: unchanged when it is made only of characters no shell
/// treats specially, otherwise in single quotes (a quote inside becomes `'\''`).
pub fn quote(word: &str) -> Cow<'_, str> {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-_./=,:+@%".contains(&byte));
    if plain {
        Cow::Borrowed(word)
    } else {
        Cow::Owned(format!("'{}'", word.replace('\'', r"'\''")))
    }
}

/// The words, each quoted as needed, separated by spaces.
pub fn join<S: AsRef<str>>(words: impl IntoIterator<Item = S>) -> String {
    words
        .into_iter()
        .map(|word| quote(word.as_ref()).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_stay_bare_and_others_are_single_quoted() {
        assert_eq!(
            join([
                "-q",
                "-ul=64",
                "run",
                "args-single onearg",
                "",
                "a,b",
                "it's"
            ]),
            r"-q -ul=64 run 'args-single onearg' '' a,b 'it'\''s'"
        );
        assert_eq!(join(["x!", "$HOME", "*"]), "'x!' '$HOME' '*'");
    }

    /// The shell splits a joined line back into the same words.
    #[test]
    fn sh_reads_back_the_words() {
        let words = ["two  spaces!", "it's", "", "-p", "/tmp/a b/c", "tab\there"];
        let output = std::process::Command::new("sh")
            .args(["-c", &format!("printf '%s\\n' {}", join(words))])
            .output()
            .unwrap();
        let expected: String = words.iter().map(|word| format!("{word}\n")).collect();
        assert_eq!(String::from_utf8(output.stdout).unwrap(), expected);
    }
}
