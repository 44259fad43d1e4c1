//! Runs four child-linear processes at once (each touches 1 MiB) and waits for them.
#![no_std]
#![no_main]

use rintos_user::check;
use rintos_user::syscall::{Pid, exec, wait};

rintos_user::test_main!(test_main);

fn test_main() {
    let mut children: [Pid; 4] = [0; 4];
    for child in &mut children {
        check!(let pid = exec(c"child-linear") => pid != -1, "exec \"child-linear\"");
        *child = pid;
    }
    for (index, &child) in children.iter().enumerate() {
        check!(wait(child) == 0x42, "wait for child {}", index);
    }
}
