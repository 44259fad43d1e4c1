//! `process_list` into kernel memory kills the caller, like every call given a bad buffer.
#![no_std]
#![no_main]

use rintos_user::abi::PHYS_BASE;
use rintos_user::syscall::raw;
use rintos_user::{fail, msg};

rintos_user::test_main!(test_main);

fn test_main() {
    msg!("process_list into kernel memory");
    // SAFETY: the kernel must refuse the buffer and end this process instead of writing.
    let count = unsafe { raw::process_list(PHYS_BASE as *mut u8, 4096) };
    fail!("process_list returned {} instead of ending the process", count);
}
