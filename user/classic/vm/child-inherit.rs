//! Child of mmap-inherit: writes zeros over the page where its parent mapped a file.
//! Mappings are not inherited, so nothing is mapped there and the process must be killed.
#![no_std]
#![no_main]

use rintos_user::fail;
use rintos_user::fault::write_word;

rintos_user::test_main!(test_main);

const PARENT_MAPPING: usize = 0x5432_1000;

fn test_main() {
    for address in (PARENT_MAPPING..PARENT_MAPPING + 4096).step_by(4) {
        // SAFETY: this process never maps anything there; the first store gets it killed.
        unsafe { write_word(address, 0) };
    }
    fail!("child can modify parent's memory mappings");
}
