//! Four processes fault in fresh zero pages at the same time, on four CPUs (the catalogue
//! case boots with `--smp=4`), more of them together than the user pool holds: every page
//! reads zero first and keeps what its process wrote, and afterwards every frame and swap
//! slot is back (the leak check).
#![no_std]
#![no_main]

use rintos_user::check;
use rintos_user::syscall::{exec, wait};

rintos_user::test_main!(test_main);

const CHILDREN: [&core::ffi::CStr; 4] = [c"zf-child 1", c"zf-child 2", c"zf-child 3", c"zf-child 4"];

fn test_main() {
    let mut children = [0; 4];
    for (slot, command) in children.iter_mut().zip(CHILDREN) {
        check!(let child = exec(command) => child != -1, "exec \"{}\"", command.to_str().unwrap_or("?"));
        *slot = child;
    }
    for (child, command) in children.into_iter().zip(CHILDREN) {
        check!(wait(child) == 0, "\"{}\" found its pages zero and kept what it wrote", command.to_str().unwrap_or("?"));
    }
}
