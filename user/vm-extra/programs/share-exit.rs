//! Sharing under eviction pressure, with processes exiting in random order: eight processes
//! of big-text start together and each does a random number of rounds (drawn from the seed
//! argument), every round dirtying private data and reading its whole text segment, so under
//! a small user pool shared text pages are evicted and read back while other sharers exit.
//! Each process must still compute the digest of the text as it is in the file, and once
//! all have exited no frame may hold big-text's text.
#![no_std]
#![no_main]

use rintos_user::cstr::StrBuf;
use rintos_user::entry::Args;
use rintos_user::syscall::{Pid, exec, open};
use rintos_user::testlib::set_test_name;
use rintos_user::{check, msg, random};
use rintos_vm_extra::board::Board;
use rintos_vm_extra::number_arg;
use rintos_vm_extra::text::TextSegment;

rintos_user::entry!(main);

const PROCESSES: usize = 8;
const MAX_ROUNDS: u32 = 6;

fn main(args: Args) -> i32 {
    set_test_name(args.program_name());
    msg!("begin");
    random::init(number_arg(&args, 1));
    check!(let fd = open(c"big-text") => fd > 1, "open \"big-text\"");
    let text = TextSegment::of_file(fd);
    let ready = Board::create(c"ready", PROCESSES as u32);
    let go = Board::create(c"go", 1);

    let mut children: [Pid; PROCESSES] = [0; PROCESSES];
    for (seed, child) in children.iter_mut().enumerate() {
        let rounds = 1 + random::next_u32() % MAX_ROUNDS;
        let command = StrBuf::<32>::format(format_args!("big-text {seed} {rounds}"));
        *child = exec(command.as_cstr());
        check!(*child != -1, "exec big-text {} with random rounds", seed);
    }
    ready.wait_for_all(PROCESSES as u32);
    go.raise(0);
    text.check_children_then_no_frames(fd, &children);
    msg!("end");
    0
}
