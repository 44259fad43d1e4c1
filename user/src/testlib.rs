//! The classic test library (`src/tests/lib.c`): messages prefixed with the test name, checks
//! that fail the test, file verification and helpers for tests with children.
//!
//! The output formats are exactly the classic ones, because the expected outputs of the
//! suite are written in them.
use core::ffi::CStr;
use core::fmt::{self, Write};

use crate::ProcessGlobal;
use crate::cstr::{StrBuf, show};
use crate::syscall::{
    PID_ERROR, Pid, STDOUT_FILENO, close, exec, exit, filesize, open, read, wait, write,
};

static TEST_NAME: ProcessGlobal<&'static str> = ProcessGlobal::new("?");
static QUIET: ProcessGlobal<bool> = ProcessGlobal::new(false);
/// Where a message is assembled so that it reaches the console in one `write`, never
/// interleaved with the kernel's `name: exit(n)` lines. Static, like the classic one, to
/// keep it off the stack, which is a single page without virtual memory.
static MESSAGE: ProcessGlobal<StrBuf<1024>> = ProcessGlobal::new(StrBuf::new());

/// Sets the `(name)` prefix of every message.
pub fn set_test_name(name: &'static str) {
    TEST_NAME.set(name);
}

pub fn test_name() -> &'static str {
    TEST_NAME.get()
}

/// While quiet, `msg!` prints nothing (failures are still printed).
pub fn set_quiet(quiet: bool) {
    QUIET.set(quiet);
}

pub fn is_quiet() -> bool {
    QUIET.get()
}

fn emit(args: fmt::Arguments, suffix: &str) {
    let mut message = MESSAGE.borrow_mut();
    message.clear();
    // A StrBuf cuts off what does not fit instead of failing.
    let _ = write!(message, "({}) ", test_name());
    let _ = message.write_fmt(args);
    let _ = message.write_str(suffix);
    write(STDOUT_FILENO, message.as_bytes());
}

/// Prints `(name) message` unless quiet. Used by [`msg!`](crate::msg).
pub fn msg(args: fmt::Arguments) {
    if !is_quiet() {
        emit(args, "\n");
    }
}

/// Prints `(name) message: FAILED` and exits with status 1. Used by
/// [`fail!`](crate::fail).
pub fn fail(args: fmt::Arguments) -> ! {
    emit(args, ": FAILED\n");
    exit(1)
}

/// Prints a test message, `msg!("argc = {}", argc)` → `(args) argc = 2`.
#[macro_export]
macro_rules! msg {
    ($($arg:tt)+) => { $crate::testlib::msg(format_args!($($arg)+)) };
}

/// Fails the test with a message.
#[macro_export]
macro_rules! fail {
    ($($arg:tt)+) => { $crate::testlib::fail(format_args!($($arg)+)) };
}

/// The classic `CHECK`: prints the message, *then* evaluates the condition, and fails
/// with the same message if it is false. The order matters: a check that starts a child
/// prints its message before the child can print anything.
///
/// `check!(cond, "format", args...)` checks a condition. To keep a value, bind it:
/// `check!(let fd = open(c"x") => fd > 1, "open \"x\"");` prints, then runs `open`, binds
/// `fd` for the code that follows, and checks `fd > 1`.
#[macro_export]
macro_rules! check {
    (let $binding:pat = $value:expr => $ok:expr, $($arg:tt)+) => {
        $crate::msg!($($arg)+);
        let $binding = $value;
        if !$ok {
            $crate::fail!($($arg)+);
        }
    };
    ($ok:expr, $($arg:tt)+) => {{
        $crate::msg!($($arg)+);
        if !$ok {
            $crate::fail!($($arg)+);
        }
    }};
}

/// Opens `name` and checks that it holds exactly `expected`: `open "name" for
/// verification`, `verified contents of "name"`, `close "name"`.
pub fn check_file(name: &CStr, expected: &[u8]) {
    check!(let fd = open(name) => fd > 1, "open \"{}\" for verification", show(name));
    check_file_handle(fd, name, expected);
    msg!("close \"{}\"", show(name));
    close(fd);
}

/// Checks that open file `fd` holds `expected` from its current position on, reading
/// 512 bytes at a time; prints `verified contents of "name"`.
pub fn check_file_handle(fd: i32, name: &CStr, expected: &[u8]) {
    let actual_size = filesize(fd);
    let size_matches = usize::try_from(actual_size) == Ok(expected.len());
    if !size_matches {
        // Read on anyway: the data may explain more than the size does.
        msg!(
            "size of {} ({}) differs from expected ({})",
            show(name),
            actual_size,
            expected.len()
        );
    }
    let mut block = [0u8; 512];
    let mut offset = 0;
    for expected_block in expected.chunks(block.len()) {
        let chunk = &mut block[..expected_block.len()];
        let count = read(fd, chunk);
        if usize::try_from(count) != Ok(chunk.len()) {
            fail!(
                "read of {} bytes at offset {} in \"{}\" returned {}",
                chunk.len(),
                offset,
                show(name),
                count
            );
        }
        compare_bytes(chunk, expected_block, offset, name);
        offset += chunk.len();
    }
    if !size_matches {
        fail!(
            "size of {} ({}) differs from expected ({})",
            show(name),
            actual_size,
            expected.len()
        );
    }
    msg!("verified contents of \"{}\"", show(name));
}

/// Fails unless `actual == expected`, showing the first differing run of bytes as hex
/// dumps. `offset` is where the data starts in file `name`.
pub fn compare_bytes(actual: &[u8], expected: &[u8], offset: usize, name: &CStr) {
    let Some(first) = actual.iter().zip(expected).position(|(a, e)| a != e) else {
        return;
    };
    let run_end = (first + 1..actual.len())
        .find(|&index| actual[index] == expected[index])
        .unwrap_or(actual.len());
    let differing = run_end - first;

    set_quiet(false);
    msg!(
        "{} bytes read starting at offset {} in \"{}\" differ from expected.",
        differing,
        offset + first,
        show(name)
    );
    let shown = differing.min(64);
    if differing > shown {
        msg!("Showing first differing {} bytes.", shown);
    }
    msg!("Data actually read:");
    crate::console::hex_dump(offset + first, &actual[first..first + shown], true);
    msg!("Expected data:");
    crate::console::hex_dump(offset + first, &expected[first..first + shown], true);
    fail!(
        "{} bytes read starting at offset {} in \"{}\" differ from expected",
        differing,
        offset,
        show(name)
    );
}

/// Starts `child_name 0`, `child_name 1`, … without waiting, storing their pids:
/// `exec child 1 of 10: "child-syn-read 0"`.
pub fn exec_children(child_name: &str, pids: &mut [Pid]) {
    let count = pids.len();
    for (index, pid) in pids.iter_mut().enumerate() {
        let command = StrBuf::<128>::format(format_args!("{child_name} {index}"));
        check!(let child = exec(command.as_cstr()) => child != PID_ERROR,
               "exec child {} of {}: \"{}\"", index + 1, count, command);
        *pid = child;
    }
}

/// Waits for each child in turn and checks that child *i* exited with status *i*:
/// `wait for child 1 of 10 returned 0 (expected 0)`.
pub fn wait_children(pids: &[Pid]) {
    let count = pids.len();
    for (index, &pid) in pids.iter().enumerate() {
        let status = wait(pid);
        check!(
            status == index as i32,
            "wait for child {} of {} returned {} (expected {})",
            index + 1,
            count,
            status,
            index
        );
    }
}
