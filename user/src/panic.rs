//! What happens when the program panics: the Rust counterpart of the classic user
//! `PANIC`/`ASSERT`/`NOT_REACHED`. It means the program found itself in a state it
//! considers impossible (for example `exit` returned), prints
//! `User process ABORT at <file>:<line>: <message>` and exits with status 1. That is not a
//! test failure report (`fail!` is), so the line deliberately avoids the word "FAIL"; the
//! test fails anyway because its output differs from the expected one.
use core::panic::PanicInfo;

use crate::println;

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    match info.location() {
        Some(location) => println!(
            "User process ABORT at {}:{}: {}",
            location.file(),
            location.line(),
            info.message()
        ),
        None => println!("User process ABORT: {}", info.message()),
    }
    crate::syscall::exit_after_panic(1)
}
