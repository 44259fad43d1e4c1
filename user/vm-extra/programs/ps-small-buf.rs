//! `process_list` with too little room: it copies only whole records, as many as fit, and
//! returns how many processes there are, so that the caller can try again with room for
//! all. Two processes run: this one and a touch-pages that holds one page.
#![no_std]
#![no_main]

use rintos_user::abi::ProcessInfo;
use rintos_user::syscall::{process_list, raw};
use rintos_user::testlib::test_name;
use rintos_user::check;
use rintos_vm_extra::holder::Holder;

rintos_user::test_main!(test_main);

/// What the kernel has not written over.
const UNTOUCHED: u8 = 0xa5;

fn test_main() {
    let holder = Holder::start(1);

    // SAFETY: with no room the kernel writes nothing.
    let count = unsafe { raw::process_list(core::ptr::null_mut(), 0) };
    check!(count == 2, "no room: 2 processes counted, nothing copied");

    let mut bytes = [UNTOUCHED; 2 * ProcessInfo::SIZE];
    // SAFETY: the kernel writes at most the `size` bytes we own.
    let count = unsafe { raw::process_list(bytes.as_mut_ptr(), bytes.len() as u32 - 1) };
    let first = ProcessInfo::new(0, test_name(), 0, 0).name;
    check!(
        count == 2
            && bytes[ProcessInfo::SIZE - ProcessInfo::NAME_BYTES..ProcessInfo::SIZE] == first
            && bytes[ProcessInfo::SIZE..].iter().all(|&byte| byte == UNTOUCHED),
        "room for less than 2 records: 2 processes counted, 1 whole record copied"
    );

    let mut records = [ProcessInfo::default(); 2];
    let count = process_list(&mut records);
    check!(
        count == 2
            && records[0].name() == test_name()
            && records[1].name() == "touch-pages"
            && records[1].pid == holder.pid() as u32,
        "room for 2 records: this process, then touch-pages with its pid"
    );
    holder.release();
}
