//! Exits with status 57 from inside the test body, so `end` is never printed. (Were `exit`
//! to return, the runtime would abort the program.)
#![no_std]
#![no_main]

use rintos_user::syscall::exit;

rintos_user::test_main!(test_main);

fn test_main() {
    exit(57);
}
