//! Like rox-child, with child-rox running itself 5 levels deep.
#![no_std]
#![no_main]

use rintos_user::common::rox::rox_child_test;

rintos_user::test_main!(test_main);

fn test_main() {
    rox_child_test(5);
}
