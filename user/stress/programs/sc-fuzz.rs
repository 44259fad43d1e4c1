//! `sc-fuzz SEED CALLS LANES`: CALLS random system calls (see `rintos_stress::fuzz`) made
//! by LANES processes at once, reproducible from SEED. Passes when every call did to its
//! caller what it must (returned, killed it with `exit(-1)`, or exited it), every process
//! ended, and the kernel survived; the leak check after the run does the rest.
//!
//! One executable plays four parts, chosen by its first argument:
//!
//! - `sc-fuzz SEED CALLS LANES`, the driver: starts the lanes and waits for them.
//! - `sc-fuzz lane SEED LANE CALLS`: runs lives one after another until they have made the
//!   lane's share of the calls, and judges how each ended.
//! - `sc-fuzz life SEED LANE LIFE BUDGET`: makes calls until one kills it (or it exits, or
//!   runs out of budget). Before every call that may end it, it writes a record to the lane's
//!   progress file `fzpLANE` saying which call that is and what it must do, so the lane knows
//!   how many calls the life made and can tell a right death from a wrong one.
//! - `sc-fuzz child SEED`: a few calls, for lives to exec and wait for (or not).
#![no_std]
#![no_main]

use rintos_stress::fuzz::{Expect, Fuzzer, PROGRAM};
use rintos_stress::syscall;
use rintos_user::cstr::StrBuf;
use rintos_user::entry::Args;
use rintos_user::syscall::{
    close, create, exec, exit, filesize, open, read, remove, seek, wait, write,
};
use rintos_user::{msg, testlib};

rintos_user::entry!(main);

/// The status of a life that survived a call that must have killed it.
const SURVIVED: i32 = 99;
/// Calls in one child's life.
const CHILD_CALLS: u32 = 16;
/// Exec failures in a row (no memory for a process) after which a lane gives up.
const EXEC_RETRIES: u32 = 1000;

fn number(args: &Args, index: usize) -> Option<u64> {
    let text = args.get(index)?.to_str().ok()?;
    text.parse().ok()
}

fn main(args: Args) -> i32 {
    // The driver is named by the test that runs it; lanes and lives by the program.
    testlib::set_test_name(if number(&args, 1).is_some() {
        args.program_name()
    } else {
        PROGRAM
    });
    let mode = args
        .get(1)
        .and_then(|mode| mode.to_str().ok())
        .unwrap_or("");
    let n = |index| number(&args, index);
    match (mode, n(2), n(3), n(4), n(5)) {
        ("lane", Some(seed), Some(lane), Some(calls), _) => {
            run_lane(seed, lane as u32, calls as u32)
        }
        ("life", Some(seed), Some(lane), Some(life), Some(budget)) => {
            run_life(seed, lane as u32, life as u32, budget as u32)
        }
        ("child", Some(seed), ..) => run_child(seed),
        _ => match (n(1), n(2), n(3)) {
            (Some(seed), Some(calls), Some(lanes)) if lanes > 0 => {
                drive(seed, calls as u32, lanes as u32)
            }
            // Anything else (this program exec'd by a fuzzer with odd arguments) does nothing.
            _ => 2,
        },
    }
}

fn progress_name(lane: u32) -> StrBuf<16> {
    StrBuf::format(format_args!("fzp{lane}"))
}

fn drive(seed: u64, calls: u32, lanes: u32) -> i32 {
    msg!("begin");
    let mut pids = [0; 16];
    let lanes = lanes.min(pids.len() as u32);
    for lane in 0..lanes {
        let name = progress_name(lane);
        remove(name.as_cstr());
        if !create(name.as_cstr(), Record::SIZE as u32) {
            testlib::fail(format_args!("create {}", name));
        }
        let share = calls / lanes + u32::from(lane < calls % lanes);
        let command = StrBuf::<64>::format(format_args!("{PROGRAM} lane {seed} {lane} {share}"));
        pids[lane as usize] = exec(command.as_cstr());
        if pids[lane as usize] < 0 {
            testlib::fail(format_args!("exec \"{}\"", command));
        }
    }
    let mut anomalies = 0;
    for (lane, &pid) in pids[..lanes as usize].iter().enumerate() {
        let status = wait(pid);
        if status != 0 {
            msg!("FAIL: lane {lane} found {status} problems");
            anomalies += 1;
        }
        remove(progress_name(lane as u32).as_cstr());
    }
    if anomalies > 0 {
        testlib::fail(format_args!(
            "seed {seed}: replay with run '{PROGRAM} {seed} {calls} {lanes}'"
        ));
    }
    msg!("seed {seed}: {calls} calls by {lanes} lanes");
    msg!("end");
    0
}

/// What a life writes to its lane's progress file before a call that may end it.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Record {
    life: u32,
    /// Calls the life made before this point.
    calls: u32,
    kind: RecordKind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RecordKind {
    /// The next call must kill the life.
    Dies,
    /// The next call may kill it.
    MayDie,
    /// The next call is `exit(status)`.
    Exits(i32),
    /// The last call, which could have killed it, returned.
    Survived,
    /// The life made all its calls and exits with 0.
    Completed,
}

impl Record {
    const SIZE: usize = 16;

    fn to_bytes(self) -> [u8; Record::SIZE] {
        let (kind, status) = match self.kind {
            RecordKind::Dies => (1, 0),
            RecordKind::MayDie => (2, 0),
            RecordKind::Exits(status) => (3, status),
            RecordKind::Survived => (4, 0),
            RecordKind::Completed => (5, 0),
        };
        let mut bytes = [0; Record::SIZE];
        for (chunk, word) in bytes
            .chunks_mut(4)
            .zip([self.life, self.calls, kind, status as u32])
        {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        bytes
    }

    fn from_bytes(bytes: &[u8; Record::SIZE]) -> Option<Record> {
        let word = |index: usize| {
            u32::from_le_bytes(bytes[4 * index..4 * index + 4].try_into().expect("4 bytes"))
        };
        let kind = match word(2) {
            1 => RecordKind::Dies,
            2 => RecordKind::MayDie,
            3 => RecordKind::Exits(word(3) as i32),
            4 => RecordKind::Survived,
            5 => RecordKind::Completed,
            _ => return None,
        };
        Some(Record {
            life: word(0),
            calls: word(1),
            kind,
        })
    }
}

fn run_lane(seed: u64, lane: u32, calls: u32) -> i32 {
    let name = progress_name(lane);
    let progress = open(name.as_cstr());
    if progress < 2 {
        msg!("FAIL: lane {lane}: cannot open {name}");
        return 1;
    }
    let (mut done, mut life, mut anomalies, mut failed_execs) = (0u32, 0u32, 0, 0);
    while done < calls {
        let command = StrBuf::<80>::format(format_args!(
            "{PROGRAM} life {seed} {lane} {life} {}",
            calls - done
        ));
        let pid = exec(command.as_cstr());
        if pid < 0 {
            failed_execs += 1;
            if failed_execs == EXEC_RETRIES {
                msg!(
                    "FAIL: seed {seed} lane {lane}: exec of life {life} failed {EXEC_RETRIES} times in a row"
                );
                return anomalies + 1;
            }
            continue;
        }
        failed_execs = 0;
        let status = wait(pid);
        let mut bytes = [0; Record::SIZE];
        seek(progress, 0);
        read(progress, &mut bytes);
        let record = Record::from_bytes(&bytes).filter(|record| record.life == life);
        let (made, problem) = judge(record, status);
        if let Some(problem) = problem {
            msg!("FAIL: seed {seed} lane {lane} life {life}: {problem} (status {status})");
            anomalies += 1;
        }
        // A life that left no record made at least one call.
        done = done.saturating_add(made.max(1));
        life += 1;
    }
    close(progress);
    anomalies
}

/// How many calls a life made, and what was wrong with how it ended.
fn judge(record: Option<Record>, status: i32) -> (u32, Option<&'static str>) {
    let Some(record) = record else {
        return (0, Some("ended before its first call that may end it"));
    };
    let next = record.calls + 1;
    match record.kind {
        RecordKind::Dies if status == SURVIVED => (next, Some("a call that must kill returned")),
        RecordKind::Dies if status != -1 => {
            (next, Some("a call that must kill ended it otherwise"))
        }
        RecordKind::Exits(expected) if status != expected => {
            (next, Some("exit(status) ended it with another status"))
        }
        RecordKind::Dies | RecordKind::Exits(_) | RecordKind::MayDie => (next, None),
        RecordKind::Survived => (record.calls, Some("killed by a call that must return")),
        RecordKind::Completed if status != 0 => (
            record.calls,
            Some("completed but ended with another status"),
        ),
        RecordKind::Completed => (record.calls, None),
    }
}

/// A seed of its own for every life of every lane.
fn life_seed(seed: u64, lane: u32, life: u32) -> u64 {
    seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ u64::from(lane).wrapping_mul(0xBF58_476D_1CE4_E5B9)
        ^ u64::from(life)
}

fn run_life(seed: u64, lane: u32, life: u32, budget: u32) -> i32 {
    let progress = open(progress_name(lane).as_cstr());
    let record = |calls, kind| {
        seek(progress, 0);
        write(progress, &Record { life, calls, kind }.to_bytes());
    };
    let mut fuzzer = Fuzzer::new(life_seed(seed, lane, life), true);
    fuzzer.reserve_fd(progress);
    for made in 0..budget {
        let call = fuzzer.next_call();
        match call.expect {
            Expect::Return => {}
            Expect::Die => record(made, RecordKind::Dies),
            Expect::Either => record(made, RecordKind::MayDie),
            Expect::Exit(status) => record(made, RecordKind::Exits(status)),
        }
        // SAFETY: the fuzzer only lets the kernel write to its arena and mappings, and never
        // makes call 0 (halt).
        let result = unsafe { syscall(call.number, call.args) };
        match call.expect {
            Expect::Return => {}
            Expect::Die => {
                msg!(
                    "FAIL: seed {seed} lane {lane} life {life} call {made}: {call:?} returned {}",
                    result as i32
                );
                exit(SURVIVED);
            }
            Expect::Either => record(made + 1, RecordKind::Survived),
            Expect::Exit(_) => {
                msg!("FAIL: seed {seed} lane {lane} life {life} call {made}: exit returned");
                exit(SURVIVED);
            }
        }
        fuzzer.after(&call, result, |fd| {
            (filesize(fd).max(0) as u32).div_ceil(rintos_abi::PAGE_SIZE as u32)
        });
        if made % 8 == 7 {
            fuzzer.touch_mapping();
        }
    }
    record(budget, RecordKind::Completed);
    0
}

fn run_child(seed: u64) -> i32 {
    let mut fuzzer = Fuzzer::new(seed, false);
    for _ in 0..CHILD_CALLS {
        let call = fuzzer.next_call();
        // SAFETY: as in `run_life`.
        let result = unsafe { syscall(call.number, call.args) };
        fuzzer.after(&call, result, |fd| {
            (filesize(fd).max(0) as u32).div_ceil(rintos_abi::PAGE_SIZE as u32)
        });
    }
    0
}
