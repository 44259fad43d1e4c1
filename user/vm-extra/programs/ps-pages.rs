//! `ps-pages PAGES`: runs `ps` while touch-pages holds PAGES pages it has written. The
//! expected outputs (tests/catalogue/vm-extra.toml) hold ps to its numbers: with frames to
//! spare, touch-pages has at least PAGES resident pages; on a small user pool, at least the
//! pages that cannot be in a frame are swapped.
#![no_std]
#![no_main]

use rintos_user::entry::{Args, run_test};
use rintos_user::syscall::{PID_ERROR, exec, wait};
use rintos_user::{ProcessGlobal, check};
use rintos_vm_extra::holder::Holder;
use rintos_vm_extra::number_arg;

rintos_user::entry!(main);

static PAGES: ProcessGlobal<u32> = ProcessGlobal::new(0);

fn main(args: Args) -> i32 {
    PAGES.set(number_arg(&args, 1));
    run_test(args, test_main)
}

fn test_main() {
    let holder = Holder::start(PAGES.get());
    check!(let ps = exec(c"ps") => ps != PID_ERROR, "exec \"ps\"");
    // Waiting before the message keeps ps's output before it.
    let status = wait(ps);
    check!(status == 0, "ps exits 0");
    holder.release();
}
