//! Recursively runs itself until `exec` fails for lack of memory, ten times over, and
//! checks that every round gets exactly as deep as the first: a kernel that leaks pages,
//! descriptors or process state on exit gets less deep each round. At least 30 levels
//! are required. (Project 2 only: with virtual memory the depth has no useful bound.)
//!
//! `multi-oom` alone is the root; `multi-oom N ` (note the trailing space, which must not
//! become an argument) is a process at depth N, and `multi-oom N -k` is a child that grabs
//! resources and then dies abnormally. Processes below depth 15 start such a crashing
//! child before recursing.
#![no_std]
#![no_main]

use rintos_user::abi::PHYS_BASE;
use rintos_user::cstr::{StrBuf, atoi};
use rintos_user::entry::Args;
use rintos_user::fault::{read_word, write_word};
use rintos_user::syscall::{Pid, exec, exit, open, raw, wait};
use rintos_user::testlib::set_test_name;
use rintos_user::{fail, msg, random};

rintos_user::entry!(main);

const EXPECTED_DEPTH_TO_PASS: i32 = 30;
const EXPECTED_REPETITIONS: i32 = 10;

#[derive(Clone, Copy, PartialEq)]
enum ChildMode {
    Recurse,
    Crash,
}

fn main(args: Args) -> i32 {
    set_test_name("multi-oom");
    let depth = args.get(1).map_or(0, atoi);
    let is_root = depth == 0;
    if is_root {
        msg!("begin");
    }

    if args.get(2).is_some_and(|flag| flag == c"-k") {
        consume_some_resources_and_die(depth);
    }

    let rounds = if is_root { EXPECTED_REPETITIONS } else { 1 };
    let mut expected_depth = -1;
    for round in 0..rounds {
        // Crashing children only deep down, to keep the test fast.
        if depth > EXPECTED_DEPTH_TO_PASS / 2 {
            let child = spawn_child(depth + 1, ChildMode::Crash);
            // If this exec failed, so will the one below, which ends the recursion.
            if child != -1 && wait(child) != -1 {
                fail!("crashed child should return -1.");
            }
        }

        let child = spawn_child(depth + 1, ChildMode::Recurse);
        if child == -1 {
            // As deep as memory allows.
            return depth;
        }
        let reached_depth = wait(child);
        if reached_depth == -1 {
            fail!("wait returned -1.");
        }
        if round == 0 {
            expected_depth = reached_depth;
        } else if expected_depth != reached_depth {
            fail!(
                "after run {}/{}, expected depth {}, actual depth {}.",
                round,
                rounds,
                expected_depth,
                reached_depth
            );
        }
    }

    consume_some_resources();

    if is_root {
        if expected_depth < EXPECTED_DEPTH_TO_PASS {
            fail!(
                "should have forked at least {} times.",
                EXPECTED_DEPTH_TO_PASS
            );
        }
        msg!("success. program forked {} times.", rounds);
        msg!("end");
    }
    expected_depth
}

/// Runs a copy of ourselves at `depth`.
fn spawn_child(depth: i32, mode: ChildMode) -> Pid {
    let flag = if mode == ChildMode::Crash { "-k" } else { "" };
    let command = StrBuf::<128>::format(format_args!("multi-oom {depth} {flag}"));
    exec(command.as_cstr())
}

/// Opens our own executable up to 126 times and never closes it: the kernel must free
/// all of that when the process ends. When the kernel runs out of memory, `open` must
/// just fail.
fn consume_some_resources() {
    for _ in 0..126 {
        if open(c"multi-oom") == -1 {
            break;
        }
    }
}

/// Grabs resources, then dies in one of five ways chosen by a PRNG seeded with `seed`.
fn consume_some_resources_and_die(seed: i32) -> ! {
    consume_some_resources();
    random::init(seed as u32);
    let kernel = PHYS_BASE as usize;
    // SAFETY (all accesses): page 0 is never mapped and `kernel` is kernel memory, so
    // each access gets the process killed. As in the classic, a way that survives falls
    // through to the next one.
    unsafe {
        match random::next_u32() % 5 {
            0 => {
                write_word(0, 42);
                read_word(0);
            }
            1 => {
                read_word(0);
            }
            2 => {
                read_word(kernel);
            }
            3 => {
                write_word(kernel, 42);
                raw::open(kernel as *const u8);
                exit(-1);
            }
            _ => {
                raw::open(kernel as *const u8);
                exit(-1);
            }
        }
    }
    // Aborting exits with 1, which the parent reports as a failure.
    unreachable!("survived an access that must kill the process");
}
