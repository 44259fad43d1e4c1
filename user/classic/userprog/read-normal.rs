//! Reads sample.txt and checks its contents.
#![no_std]
#![no_main]

use rintos_user::samples::USERPROG_SAMPLE;
use rintos_user::testlib::check_file;

rintos_user::test_main!(test_main);

fn test_main() {
    check_file(c"sample.txt", USERPROG_SAMPLE);
}
