//! Runs child-mm-wrt, which writes "sample.txt" through a mapping and exits without
//! unmapping, then checks that the data reached the file.
#![no_std]
#![no_main]

use rintos_user::check;
use rintos_user::samples::VM_SAMPLE_WITH_NUL;
use rintos_user::syscall::{exec, wait};
use rintos_user::testlib::{check_file, set_quiet};

rintos_user::test_main!(test_main);

fn test_main() {
    set_quiet(true);
    check!(let child = exec(c"child-mm-wrt") => child != -1, "exec \"child-mm-wrt\"");
    check!(wait(child) == 0, "wait for child (should return 0)");
    set_quiet(false);

    check_file(c"sample.txt", &VM_SAMPLE_WITH_NUL);
}
