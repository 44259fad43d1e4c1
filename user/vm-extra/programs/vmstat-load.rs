//! `vmstat 1 2` while processes fault: touch-pages processes run one after another (each
//! takes 16 zero-fill faults and more for its stack and code) until vmstat has exited, so
//! both of vmstat's intervals see minor and zero-fill faults. The expected output
//! (tests/catalogue/vm-extra.toml) checks vmstat's header, its columns and those counts.
#![no_std]
#![no_main]

use rintos_user::abi::ProcessInfo;
use rintos_user::syscall::{PID_ERROR, Pid, exec, process_list, wait};
use rintos_user::{check, fail};

rintos_user::test_main!(test_main);

fn test_main() {
    check!(let vmstat = exec(c"vmstat 1 2") => vmstat != PID_ERROR, "exec \"vmstat 1 2\"");
    while is_running(vmstat) {
        let toucher = exec(c"touch-pages 16");
        if toucher == PID_ERROR || wait(toucher) != 0 {
            fail!("touch-pages 16 did not run");
        }
    }
    let status = wait(vmstat);
    check!(status == 0, "vmstat exits 0");
}

/// Whether process `pid` is in the kernel's process table.
fn is_running(pid: Pid) -> bool {
    // This test runs three processes at most.
    let mut records = [ProcessInfo::default(); 8];
    let count = process_list(&mut records).min(records.len());
    records[..count].iter().any(|record| record.pid == pid as u32)
}
