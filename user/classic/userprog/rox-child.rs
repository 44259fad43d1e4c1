//! child-rox is writable before it runs and after it exits, but not while it runs.
#![no_std]
#![no_main]

use rintos_user::common::rox::rox_child_test;

rintos_user::test_main!(test_main);

fn test_main() {
    rox_child_test(1);
}
