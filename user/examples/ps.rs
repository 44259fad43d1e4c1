//! Lists the processes, one line each in pid order: pid, program name, resident pages (held
//! in a frame) and swapped pages (whose data is in a swap slot), through Rintos' own
//! `process_list` call (DESIGNDOC.md, "ABI notes"). ps itself is among them.
#![no_std]
#![no_main]

use rintos_user::abi::ProcessInfo;
use rintos_user::console::print_line;
use rintos_user::entry::Args;

rintos_user::entry!(main);

/// Room for more processes than a Rintos machine of the classic size can run at once (each
/// takes a kernel stack from a pool of about 1.5 MiB); any beyond are counted, not listed.
const ROOM: usize = 128;

fn main(args: Args) -> i32 {
    if args.len() > 1 {
        print_line(format_args!("usage: ps"));
        return 1;
    }
    let mut records = [ProcessInfo::default(); ROOM];
    let count = rintos_user::syscall::process_list(&mut records);
    print_line(format_args!("{:>5} {:<14} {:>8} {:>8}", "PID", "NAME", "RESIDENT", "SWAPPED"));
    for process in &records[..count.min(ROOM)] {
        print_line(format_args!(
            "{:>5} {:<14} {:>8} {:>8}",
            process.pid,
            process.name(),
            process.resident_pages,
            process.swapped_pages
        ));
    }
    if count > ROOM {
        print_line(format_args!("ps: {} more processes not listed", count - ROOM));
    }
    0
}
