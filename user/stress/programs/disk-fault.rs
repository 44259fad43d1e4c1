//! `disk-fault MODE`: what a program sees when the disk fails under it, with the fault
//! injected by the runner (`--inject`, see tests/catalogue/faults.toml):
//!
//! - `swap`: runs `swap-verify 600` twice and reports how each ended;
//! - `read`, `write`: reads or writes around a bad sector of `zeros` (its third sector):
//!   a transfer that starts at the bad sector returns -1, one that reaches it a short count;
//! - `exec`: runs `fault-victim` and reports how it ended (or that exec failed);
//! - `mmap`: changes a page of a mapping of `zeros` whose write-back fails, puts memory
//!   under pressure, and finds the change still there.
#![no_std]
#![no_main]

use rintos_abi::PAGE_SIZE;
use rintos_user::entry::Args;
use rintos_user::syscall::{MAP_FAILED, exec, mmap, munmap, open, read, seek, wait, write};
use rintos_user::{ProcessGlobal, check, fail, msg};

rintos_user::entry!(main);

fn main(args: Args) -> i32 {
    let mode = args.get(1).and_then(|mode| mode.to_str().ok()).unwrap_or("");
    let body: fn() = match mode {
        "swap" => swap,
        "read" => || transfers(false),
        "write" => || transfers(true),
        "exec" => exec_victim,
        "mmap" => mapped_page_kept,
        _ => || fail!("unknown mode"),
    };
    rintos_user::entry::run_test(args, body)
}

/// Runs `command` to its end and reports its status (or that exec refused it).
fn run(command: &core::ffi::CStr) {
    let name = command.to_str().unwrap_or("?");
    let child = exec(command);
    if child < 0 {
        msg!("exec \"{name}\" failed");
    } else {
        msg!("\"{name}\" ended with {}", wait(child));
    }
}

fn swap() {
    run(c"swap-verify 600");
    run(c"swap-verify 600");
}

fn exec_victim() {
    run(c"fault-victim");
}

/// Sector 2 of `zeros` (bytes 1024..1536) is bad for reads or for writes.
fn transfers(writing: bool) {
    check!(let fd = open(c"zeros") => fd > 1, "open \"zeros\"");
    let mut buffer = [0u8; 2000];
    let mut transfer = |offset: u32, len: usize| {
        seek(fd, offset);
        if writing { write(fd, &buffer[..len]) } else { read(fd, &mut buffer[..len]) }
    };
    let verb = if writing { "write" } else { "read" };
    msg!("{verb} 512 bytes at 0: {}", transfer(0, 512));
    msg!("{verb} 512 bytes at 1024: {}", transfer(1024, 512));
    msg!("{verb} 2000 bytes at 100: {}", transfer(100, 2000));
}

const MAPPING: usize = 0x1000_0000;
/// More pages than the 64 user frames the case runs with.
const PRESSURE_PAGES: usize = 200;

static PRESSURE: ProcessGlobal<[u8; PRESSURE_PAGES * PAGE_SIZE]> =
    ProcessGlobal::new([0; PRESSURE_PAGES * PAGE_SIZE]);

/// The first page of `zeros` cannot be written back.
fn mapped_page_kept() {
    check!(let fd = open(c"zeros") => fd > 1, "open \"zeros\"");
    check!(let map = mmap(fd, MAPPING) => map != MAP_FAILED, "mmap \"zeros\"");
    let first = MAPPING as *mut u8;
    // SAFETY: the mapping is ours; the write dirties its first page.
    unsafe { first.write_volatile(0x5A) };
    let mut pressure = PRESSURE.borrow_mut();
    for round in 1..=2u8 {
        for page in pressure.chunks_mut(PAGE_SIZE) {
            page[0] = round;
        }
    }
    // SAFETY: as above.
    check!(unsafe { first.read_volatile() } == 0x5A, "the change survived memory pressure");
    munmap(map);
    let mut byte = [0xFFu8];
    seek(fd, 0);
    check!(read(fd, &mut byte) == 1 && byte[0] == 0, "the file kept its old byte");
}
