//! The kernel heap: talc, growing on demand with pages from the kernel pool.
//!
//! The heap lock disables interrupts (see `sync::HeapLock`), so an interrupt handler that
//! allocated could never deadlock on an interrupted allocation; our handlers still avoid
//! allocating. Memory the heap claims is never given back to the page pool: the leak checks
//! therefore compare bytes in use, not pages.

use core::alloc::{GlobalAlloc, Layout};
use core::sync::atomic::{AtomicUsize, Ordering};

use talc::{OomHandler, Span, Talc, Talck};

use super::palloc::allocate_heap_pages;
use crate::arch::layout::PAGE_SIZE;
use crate::sync::HeapLock;

/// Pages claimed at a time when the heap runs dry (more if one allocation needs it).
const GROWTH_PAGES: usize = 8;

struct ClaimKernelPages;

impl OomHandler for ClaimKernelPages {
    fn handle_oom(talc: &mut Talc<Self>, layout: Layout) -> Result<(), ()> {
        let needed = (layout.size() + layout.align() + 64).div_ceil(PAGE_SIZE);
        // Grow by a few pages at a time to claim less often, but settle for exactly what
        // this allocation needs when the pool is nearly empty.
        let (base, pages) = [needed.max(GROWTH_PAGES), needed]
            .into_iter()
            .find_map(|pages| allocate_heap_pages(pages).map(|base| (base, pages)))
            .ok_or(())?;
        let size = pages * PAGE_SIZE;
        // SAFETY: the pages are ours alone from now on, mapped, and never freed elsewhere.
        unsafe { talc.claim(Span::from_base_size(base as *mut u8, size)).map(|_| ()) }
    }
}

struct CountingHeap {
    talc: Talck<HeapLock, ClaimKernelPages>,
    in_use: AtomicUsize,
}

// SAFETY: delegates to talc, which is a correct allocator; we only count.
unsafe impl GlobalAlloc for CountingHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as ours.
        let ptr = unsafe { self.talc.alloc(layout) };
        if !ptr.is_null() {
            self.in_use.fetch_add(layout.size(), Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.in_use.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { self.talc.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as ours.
        let new = unsafe { self.talc.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            self.in_use.fetch_sub(layout.size(), Ordering::Relaxed);
            self.in_use.fetch_add(new_size, Ordering::Relaxed);
        }
        new
    }
}

#[global_allocator]
static HEAP: CountingHeap = CountingHeap { talc: Talck::new(Talc::new(ClaimKernelPages)), in_use: AtomicUsize::new(0) };

/// Bytes currently allocated from the kernel heap.
pub fn heap_bytes_in_use() -> usize {
    HEAP.in_use.load(Ordering::Relaxed)
}
