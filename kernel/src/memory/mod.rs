//! Physical memory: the page allocator with its kernel and user pools, and the kernel heap.
//!
//! All physical memory is mapped at PHYS_BASE (see `arch::paging`), so the kernel reaches a
//! physical page `p` at virtual address `PHYS_BASE + p`.

mod heap;
mod palloc;

pub use heap::{heap_bytes_in_use, heap_pages};

/// Kernel-pool pages in use for anything but the heap (stacks, page tables): a leak check
/// must not count the heap's growth, which is permanent by design.
pub fn kernel_pages_outside_heap() -> usize {
    palloc::kernel_pool_size() - palloc::kernel_pool_free() - heap::heap_pages()
}
pub use palloc::{
    allocate_heap_pages, allocate_kernel_page_zeroed, allocate_kernel_pages, allocate_user_frame, free_kernel_page,
    free_kernel_pages, free_user_frame, init, limit_user_pool, user_pool_free, user_pool_range,
    MAX_RAM,
};

pub const PHYS_BASE: usize = rintos_abi::PHYS_BASE as usize;
pub const PAGE_SIZE: usize = rintos_abi::PAGE_SIZE;

/// The kernel virtual address of physical address `phys`.
pub const fn phys_to_virt(phys: usize) -> usize {
    phys + PHYS_BASE
}

/// The physical address behind kernel virtual address `virt`.
pub fn virt_to_phys(virt: usize) -> usize {
    assert!(virt >= PHYS_BASE, "{virt:#x} is not a kernel address");
    virt - PHYS_BASE
}
