//! `exec-mutants SEED FIRST COUNT`: execs mutants FIRST..FIRST+COUNT of SEED (see
//! `rintos-elfmut`), each written to the file `mutant`. A quarter start from the real
//! program `mut-victim`, which must be on the disk. Every mutant must be refused by `exec`
//! (-1), or run and exit with the status of an intact program, or be killed (`exit(-1)`);
//! the kernel must survive them all and leak nothing.
#![no_std]
#![no_main]

use rintos_elfmut::{EXIT_STATUS, MAX_IMAGE, mutant};
use rintos_user::entry::Args;
use rintos_user::syscall::{close, create, exec, open, read, remove, wait, write};
use rintos_user::{ProcessGlobal, fail, msg, testlib};

rintos_user::entry!(main);

static VICTIM: ProcessGlobal<[u8; MAX_IMAGE]> = ProcessGlobal::new([0; MAX_IMAGE]);
static IMAGE: ProcessGlobal<[u8; MAX_IMAGE]> = ProcessGlobal::new([0; MAX_IMAGE]);

fn number(args: &Args, index: usize) -> Option<u64> {
    args.get(index)?.to_str().ok()?.parse().ok()
}

fn main(args: Args) -> i32 {
    testlib::set_test_name(args.program_name());
    msg!("begin");
    let (Some(seed), Some(first), Some(count)) =
        (number(&args, 1), number(&args, 2), number(&args, 3))
    else {
        fail!("usage: exec-mutants SEED FIRST COUNT");
    };
    let mut victim = VICTIM.borrow_mut();
    let fd = open(c"mut-victim");
    if fd < 2 {
        fail!("open \"mut-victim\"");
    }
    let victim_len = read(fd, &mut victim[..]).max(0) as usize;
    close(fd);
    let (mut refused, mut killed, mut ran) = (0, 0, 0);
    let mut image = IMAGE.borrow_mut();
    for index in first as u32..(first + count) as u32 {
        let made = mutant(seed, index, Some(&victim[..victim_len]), &mut image[..]);
        remove(c"mutant");
        if !create(c"mutant", made.len as u32) {
            fail!("create \"mutant\" of {} bytes", made.len);
        }
        let fd = open(c"mutant");
        if fd < 2 || write(fd, &image[..made.len]) != made.len as i32 {
            fail!("write mutant {index} ({} bytes)", made.len);
        }
        close(fd);
        let pid = exec(c"mutant");
        match if pid < 0 { None } else { Some(wait(pid)) } {
            None => refused += 1,
            Some(-1) => killed += 1,
            Some(EXIT_STATUS) => ran += 1,
            Some(status) => fail!("mutant {index} of seed {seed} exited with {status}: {made}"),
        }
    }
    remove(c"mutant");
    msg!(
        "seed {seed}, mutants {first}..{}: {refused} refused, {killed} killed, {ran} ran",
        first + count
    );
    msg!("end");
    0
}
