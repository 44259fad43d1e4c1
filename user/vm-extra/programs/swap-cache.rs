//! The swap cache: a page read back from swap and not written since still has its copy in
//! swap, so evicting it again writes nothing. Writes 2 MiB (more than the user pool) so that
//! pages go to swap, then reads it all five times: by the last read-only pass the pages
//! still dirty from the writing have had their chance to be evicted (the clock prefers clean
//! victims, so with a 369-frame pool the dirty ones linger for three passes), and the pages that come
//! back from swap and are evicted again should cost (almost) no write. Without the cache
//! every page read back would be written again on its next eviction.
#![no_std]
#![no_main]

use core::hint::black_box;

use rintos_user::abi::PAGE_SIZE;
use rintos_user::syscall::vm_stats;
use rintos_user::{ProcessGlobal, check, fail, msg};

rintos_user::test_main!(test_main);

const SIZE: usize = 2 * 1024 * 1024;
static BUFFER: ProcessGlobal<[u8; SIZE]> = ProcessGlobal::new([0; SIZE]);

fn test_main() {
    let mut buffer = BUFFER.borrow_mut();
    msg!("write 2 MiB");
    for (index, page) in buffer.chunks_mut(PAGE_SIZE).enumerate() {
        page.fill(index as u8);
    }
    msg!("read it back four times");
    for _ in 0..4 {
        check_all(black_box(&buffer[..]));
    }
    let before = vm_stats();
    msg!("read it back again");
    check_all(black_box(&buffer[..]));
    let after = vm_stats();
    let reads = after.swap_ins - before.swap_ins;
    let writes = after.swap_outs - before.swap_outs;
    check!(reads > 0, "the last read-only pass read pages back from swap");
    check!(
        writes * 4 < reads,
        "it wrote far fewer pages than it read back"
    );
    check!(
        after.swap_cache_hits > before.swap_cache_hits,
        "evicting unmodified pages found their swap copies"
    );
}

fn check_all(buffer: &[u8]) {
    for (index, page) in buffer.chunks(PAGE_SIZE).enumerate() {
        if let Some(offset) = page.iter().position(|&byte| byte != index as u8) {
            fail!("byte {} of page {} changed", offset, index);
        }
    }
}
