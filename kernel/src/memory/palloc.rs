//! The page allocator. Like Pintos, free memory is split in half: the kernel pool feeds
//! kernel stacks, page tables and the heap; the user pool feeds user frames only (the frame
//! table). Running out of user frames then triggers eviction instead of starving the kernel.

use rintos_vmcore::magazine::{Magazine, Source};
use rintos_vmcore::pool::PagePool;

use crate::arch::layout::{AP_TRAMPOLINE, PAGE_SIZE, phys_to_virt, virt_to_phys};
use crate::arch::locked_u64::LockedU64;
use crate::arch::multiboot::BootInfo;
use crate::arch::percpu::{self, MAX_CPUS};
use crate::sync::{InterruptsOff, SpinLock};

/// The most physical memory Rintos manages: what fits in the kernel's 1 GiB window above
/// PHYS_BASE.
pub const MAX_RAM: usize = 0x3FC0_0000;

struct Pools {
    kernel: PagePool<'static>,
    user: PagePool<'static>,
    /// Kernel pages handed to the heap, which never gives them back.
    heap_pages: usize,
}

static POOLS: SpinLock<Option<Pools>> = SpinLock::new("page pools", None);

/// What `init` found, for the boot messages.
pub struct MemorySummary {
    pub ram_bytes: usize,
    pub kernel_pages: usize,
}

unsafe extern "C" {
    /// The physical address where the image begins (its boot section, linked there).
    static _image_start: u8;
    static _kernel_end: u8;
}

/// Builds both pools from the firmware's memory map: every page of RAM the map calls usable,
/// from page 1 up, except the kernel image, the loader's data, the other CPUs' start-up
/// page and the pages that hold the pools' own bitmaps, split in half by count. The lower half, which includes the conventional memory below
/// 1 MiB, is the kernel pool. (Pintos loads its kernel below 1 MiB and pools the memory above;
/// ours is loaded at 1 MiB, and pooling what lies below keeps the user pool as large.)
pub fn init(boot: &BootInfo) -> MemorySummary {
    let ram_end = boot
        .memory_regions()
        .filter(|r| r.usable)
        .map(|r| (r.start + r.length) as usize)
        .max()
        .unwrap_or(1024 * 1024 + boot.upper_memory_kb() as usize * 1024)
        .min(MAX_RAM);
    let end = ram_end / PAGE_SIZE;
    let kernel_image =
        ((&raw const _image_start) as usize / PAGE_SIZE)..virt_to_phys((&raw const _kernel_end) as usize).div_ceil(PAGE_SIZE);
    let is_usable = |page: usize| {
        let (start, end) = ((page * PAGE_SIZE) as u64, ((page + 1) * PAGE_SIZE) as u64);
        let overlaps = |(first, last): (usize, usize)| first < (page + 1) * PAGE_SIZE && last > page * PAGE_SIZE;
        boot.memory_regions().any(|r| r.usable && r.start <= start && end <= r.start + r.length)
            && !boot.memory_regions().any(|r| !r.usable && r.start < end && start < r.start + r.length)
            && !kernel_image.contains(&page)
            && page != AP_TRAMPOLINE / PAGE_SIZE
            && !boot.loader_data().any(overlaps)
    };
    // Page 0 holds the real-mode interrupt table, and a frame at address 0 would look like no
    // frame at all.
    const FIRST: usize = 1;
    // The bitmaps take the first usable pages that hold them, sized for the RAM there is:
    // one page at 4 MB, where bitmaps for the largest RAM, kept in the image, cost 16 pages
    // (half of them user frames).
    let words = (end - FIRST).div_ceil(32);
    let bitmap_pages = (2 * words * size_of::<u32>()).div_ceil(PAGE_SIZE);
    let bitmap_start = (FIRST..end)
        .find(|&first| (first..first + bitmap_pages).all(|page| page < end && is_usable(page)))
        .expect("RAM has room for the page bitmaps");
    let bitmaps = bitmap_start..bitmap_start + bitmap_pages;
    let is_free = |page: usize| is_usable(page) && !bitmaps.contains(&page);
    let free_pages = (FIRST..end).filter(|&page| is_free(page)).count();
    let mut in_kernel_pool = 0;
    let split = (FIRST..end)
        .find(|&page| {
            in_kernel_pool += usize::from(is_free(page));
            in_kernel_pool > free_pages / 2
        })
        .unwrap_or(end);

    assert!(POOLS.lock().is_none(), "memory::init runs once");
    // SAFETY: the bitmap pages are RAM, mapped at PHYS_BASE like all of it, and in no pool
    // and no other use; this runs once (asserted above), and from here on the pools own them.
    let bits = unsafe {
        let start = phys_to_virt(bitmaps.start * PAGE_SIZE) as *mut u32;
        core::ptr::write_bytes(start, 0, 2 * words);
        core::slice::from_raw_parts_mut(start, 2 * words)
    };
    let (kernel_bits, user_bits) = bits.split_at_mut(words);
    let mut kernel = PagePool::new(kernel_bits, FIRST, split - FIRST);
    let mut user = PagePool::new(user_bits, split, end - split);
    for page in (FIRST..end).filter(|&page| !is_free(page)) {
        kernel.reserve(page, 1);
        user.reserve(page, 1);
    }
    let summary = MemorySummary { ram_bytes: ram_end, kernel_pages: kernel.usable_pages() };
    *POOLS.lock() = Some(Pools { kernel, user, heap_pages: 0 });
    summary
}

fn with_pools<R>(f: impl FnOnce(&mut Pools) -> R) -> R {
    f(POOLS.lock().as_mut().expect("page allocator used before memory::init"))
}

/// Kernel pages set aside for the heap. Stacks and page tables together may use only the
/// rest, so that running out of memory makes `exec` fail instead of leaving the heap (whose
/// failure would stop the kernel) nothing to grow into. The budget is fixed rather than
/// "what the heap has not taken yet", so how much a process may use does not depend on how
/// far the heap grew earlier: `multi-oom` reaches the same depth every round.
const HEAP_BUDGET: usize = 96;

/// Allocates `count` contiguous kernel pages within the non-heap budget; returns their
/// kernel virtual address.
pub fn allocate_kernel_pages(count: usize) -> Option<usize> {
    let page = with_pools(|pools| {
        let in_use = pools.kernel.usable_pages() - pools.kernel.free_pages() - pools.heap_pages;
        if in_use + count + HEAP_BUDGET > pools.kernel.usable_pages() {
            return None;
        }
        pools.kernel.allocate(count, 1)
    })?;
    Some(phys_to_virt(page * PAGE_SIZE))
}

/// Allocates `count` contiguous kernel pages for the heap, which may use the reserve. The
/// heap grows down from the top of the pool, stacks and page tables up from the bottom, so
/// the heap's permanent pages never split the pairs of pages that stacks need.
pub fn allocate_heap_pages(count: usize) -> Option<usize> {
    let page = with_pools(|pools| {
        let page = pools.kernel.allocate_from_top(count)?;
        pools.heap_pages += count;
        Some(page)
    })?;
    Some(phys_to_virt(page * PAGE_SIZE))
}

/// Kernel pages the heap has claimed (it never gives them back).
pub fn heap_pages() -> usize {
    with_pools(|pools| pools.heap_pages)
}

/// Allocates one zeroed kernel page (page tables must start empty).
pub fn allocate_kernel_page_zeroed() -> Option<usize> {
    let page = allocate_kernel_pages(1)?;
    // SAFETY: the page was just allocated and is mapped at `page`.
    unsafe { core::ptr::write_bytes(page as *mut u8, 0, PAGE_SIZE) };
    Some(page)
}

/// Frees pages from [`allocate_kernel_pages`].
pub fn free_kernel_pages(virt: usize, count: usize) {
    with_pools(|pools| pools.kernel.release(virt_to_phys(virt) / PAGE_SIZE, count));
}

/// Frees one kernel page.
pub fn free_kernel_page(virt: usize) {
    free_kernel_pages(virt, 1);
}

/// User frames each CPU keeps in its magazine (`vmcore::magazine`): faults on different CPUs
/// take the user pool's lock once per half magazine instead of once per frame.
const FRAME_MAGAZINE: usize = 16;

/// Each CPU's magazine of free user frames (page numbers). The kernel pool has none: its
/// single pages (page tables) are rare, and caching them would split the contiguous pairs
/// that thread stacks need.
static FRAME_CACHES: [SpinLock<Magazine<FRAME_MAGAZINE>>; MAX_CPUS] =
    [const { SpinLock::new("frame cache", Magazine::new()) }; MAX_CPUS];

/// User-frame allocations served by the CPU's magazine, and refills of a magazine from the
/// pool (statistics).
pub static FRAME_CACHE_HITS: LockedU64 = LockedU64::new(0);
pub static FRAME_CACHE_REFILLS: LockedU64 = LockedU64::new(0);

/// Allocates a user frame; returns its physical address. Only the frame table calls this.
/// From this CPU's magazine; when it and the pool are empty, from another CPU's.
pub fn allocate_user_frame() -> Option<usize> {
    let _irq = InterruptsOff::new();
    let me = percpu::id();
    let local = {
        let mut cache = FRAME_CACHES[me].lock();
        match cache.pop() {
            Some(page) => Some((page, Source::Cache)),
            None => with_pools(|pools| cache.allocate(|| pools.user.allocate(1, 1))),
        }
    };
    let page = match local {
        Some((page, Source::Cache)) => {
            FRAME_CACHE_HITS.fetch_add(1);
            page
        }
        Some((page, Source::Refill)) => {
            FRAME_CACHE_REFILLS.fetch_add(1);
            page
        }
        None => (0..MAX_CPUS).filter(|&cpu| cpu != me).find_map(|cpu| FRAME_CACHES[cpu].lock().pop())?,
    };
    Some(page * PAGE_SIZE)
}

/// Returns a user frame: to this CPU's magazine, half of which goes back to the pool when
/// it is full.
pub fn free_user_frame(phys: usize) {
    let _irq = InterruptsOff::new();
    let mut cache = FRAME_CACHES[percpu::id()].lock();
    let page = phys / PAGE_SIZE;
    if cache.is_full() {
        // The half that goes back, under one hold of the pools' lock.
        with_pools(|pools| cache.free(page, |page| pools.user.release(page, 1)));
    } else {
        cache.free(page, |_| unreachable!("a magazine with room gives nothing back"));
    }
}

/// Free user frames in the CPUs' magazines.
fn cached_user_frames() -> usize {
    FRAME_CACHES.iter().map(|cache| cache.lock().len()).sum()
}

/// Applies `-ul=COUNT` and returns the user pool's size.
pub fn limit_user_pool(limit: Option<usize>) -> usize {
    with_pools(|pools| {
        if let Some(limit) = limit {
            pools.user.limit(limit);
        }
        pools.user.usable_pages()
    })
}

pub fn kernel_pool_size() -> usize {
    with_pools(|pools| pools.kernel.usable_pages())
}

pub fn kernel_pool_free() -> usize {
    with_pools(|pools| pools.kernel.free_pages())
}

/// Free user frames: in the pool and in the CPUs' magazines.
pub fn user_pool_free() -> usize {
    with_pools(|pools| pools.user.free_pages()) + cached_user_frames()
}

/// The user pool's first page number and its number of pages (holes included).
pub fn user_pool_range() -> (usize, usize) {
    with_pools(|pools| (pools.user.first_page(), pools.user.span()))
}

