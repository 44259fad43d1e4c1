//! Reads an unmapped address: the process must be killed.
#![no_std]
#![no_main]

use rintos_user::fail;
use rintos_user::fault::read_word;

rintos_user::test_main!(test_main);

fn test_main() {
    // SAFETY: nothing is mapped at 0x04000000, below the code; the read gets us killed.
    fail!("bad addr read as {}", unsafe { read_word(0x0400_0000) });
}
