//! Creates a file with a 511-byte name, far over the 14-byte limit: must fail.
#![no_std]
#![no_main]

use rintos_user::msg;
use rintos_user::syscall::raw;

rintos_user::test_main!(test_main);

fn test_main() {
    let mut name = [b'x'; 512];
    name[511] = 0;
    msg!(
        "create(\"x...\"): {}",
        i32::from(raw::create(name.as_ptr(), 0))
    );
}
