//! Powers the machine off: the kernel prints its statistics and `Powering off...`, with no
//! exit line. (Were `halt` to return, the runtime would abort the program.) Also serves as
//! the example `halt` command.
#![no_std]
#![no_main]

use rintos_user::syscall::halt;

rintos_user::test_main!(test_main);

fn test_main() {
    halt();
}
