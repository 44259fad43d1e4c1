//! Physical memory: the page allocator with its kernel and user pools, and the kernel heap.
//!
//! All physical memory is mapped at PHYS_BASE (see `arch::layout`), so the kernel reaches a
//! physical page `p` at virtual address `PHYS_BASE + p`.

mod heap;
mod palloc;

pub use heap::heap_bytes_in_use;
pub use palloc::{
    FRAME_CACHE_HITS, FRAME_CACHE_REFILLS, MAX_RAM, allocate_kernel_page_zeroed, allocate_kernel_pages, allocate_user_frame, free_kernel_page,
    free_kernel_pages, free_user_frame, heap_pages, init, limit_user_pool, user_pool_free, user_pool_range,
};

pub use crate::arch::layout::{PAGE_SIZE, PHYS_BASE, phys_to_virt};

/// Heap the kernel keeps for itself when a user program asks for memory that costs heap
/// (page records of its segments, mappings and stack): system-call buffers, threads and the
/// tables of new processes must still find room.
const HEAP_RESERVE: usize = 64 * 1024;

/// Whether the heap can grow by `bytes` on behalf of a user program and still keep
/// [`HEAP_RESERVE`]: what is free in the heap and in the kernel pool. A request that fails
/// this check is refused (exec or mmap fails, stack growth kills); one that passed it and
/// then found no heap would stop the kernel.
pub fn heap_can_afford(bytes: usize) -> bool {
    let room = (palloc::heap_pages() + palloc::kernel_pool_free()) * PAGE_SIZE;
    room.saturating_sub(heap::heap_bytes_in_use()) >= bytes.saturating_add(HEAP_RESERVE)
}

/// Kernel-pool pages in use for anything but the heap (stacks, page tables): a leak check
/// must not count the heap's growth, which is permanent by design.
pub fn kernel_pages_outside_heap() -> usize {
    palloc::kernel_pool_size() - palloc::kernel_pool_free() - palloc::heap_pages()
}
