//! Helper of ra-own and ra-kill, run as `ra-walker KEY PAGES [die]`: fills PAGES pages of
//! its .bss (at most 768, 3 MiB) with a pattern of its own KEY, then reads them back in order
//! twice. More pages than the user pool holds (about 360 frames) make the reads fault
//! consecutive pages back from swap, and the kernel reads ahead of them (the frames of the
//! pages read back are clean, which the read-ahead may take). Exits 0 if every byte is its
//! own. With `die`, it is killed instead (it reads address 0) as soon as, in its second pass,
//! a page read ahead for it is being read or waits for its fault: the kernel has read from
//! swap more pages than the faults that read one, the faults that found one read ahead and
//! the pages read ahead for nothing account for. It is the only process that faults then.
#![no_std]
#![no_main]

use core::hint::black_box;

use rintos_user::abi::PAGE_SIZE;
use rintos_user::abi::VmStats;
use rintos_user::entry::Args;
use rintos_user::syscall::vm_stats;
use rintos_user::testlib::set_test_name;
use rintos_user::{ProcessGlobal, fail};
use rintos_vm_extra::{number_arg, pattern};

rintos_user::entry!(main);

const MAX_PAGES: usize = 768;
static BUFFER: ProcessGlobal<[u8; MAX_PAGES * PAGE_SIZE]> = ProcessGlobal::new([0; MAX_PAGES * PAGE_SIZE]);

/// Pages read ahead from swap that no fault has used and none was dropped yet.
fn read_ahead_pending(stats: &VmStats) -> u64 {
    stats.swap_ins.saturating_sub(stats.swap_in + stats.read_ahead_hits + stats.read_ahead_wasted)
}

fn main(args: Args) -> i32 {
    // It runs beside other processes: it prints only if it fails.
    set_test_name("ra-walker");
    let key = number_arg(&args, 1);
    let pages = (number_arg(&args, 2) as usize).min(MAX_PAGES);
    let die = args.get(3).is_some_and(|word| word.to_bytes() == b"die");
    let mut buffer = BUFFER.borrow_mut();
    let walked = &mut buffer[..pages * PAGE_SIZE];
    pattern::fill(key, 0, walked);
    for pass in 0..2 {
        for (index, page) in black_box(&*walked).chunks(PAGE_SIZE).enumerate() {
            if let Some(offset) = pattern::first_mismatch(key, index * PAGE_SIZE, page) {
                fail!("byte {} of page {} is not walker {}'s", offset, index, key);
            }
            if die && pass == 1 && read_ahead_pending(&vm_stats()) > 0 {
                // SAFETY: deliberately invalid: the kernel kills the process.
                unsafe { core::ptr::read_volatile(core::ptr::null::<u8>()) };
            }
        }
    }
    0
}
