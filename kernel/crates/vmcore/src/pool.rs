//! A pool of physical pages: the kernel pool and the user pool of Rintos are two of these.

use crate::bitmap::Bitmap;

/// Pages `first..first + bitmap.len()` (page numbers, not addresses), some of which may be
/// unusable holes marked in use from the start.
pub struct PagePool<'a> {
    first: usize,
    used: Bitmap<'a>,
    free: usize,
    usable: usize,
}

impl<'a> PagePool<'a> {
    /// A pool over `count` pages starting at page number `first`, all free.
    pub fn new(words: &'a mut [u32], first: usize, count: usize) -> PagePool<'a> {
        PagePool { first, used: Bitmap::new(words, count), free: count, usable: count }
    }

    /// Marks pages that exist in the range but must never be handed out (the kernel image,
    /// firmware areas).
    pub fn reserve(&mut self, page: usize, count: usize) {
        let (start, end) = (page.max(self.first), (page + count).min(self.first + self.used.len()));
        if start >= end {
            return;
        }
        for p in start..end {
            if !self.used.test(p - self.first) {
                self.used.set_range(p - self.first, 1, true);
                self.free -= 1;
                self.usable -= 1;
            }
        }
    }

    /// Caps the pool at `limit` usable pages (the `-ul` option), reserving the rest.
    pub fn limit(&mut self, limit: usize) {
        let mut excess = self.usable.saturating_sub(limit);
        let mut page = self.first + self.used.len();
        while excess > 0 && page > self.first {
            page -= 1;
            if !self.used.test(page - self.first) {
                self.reserve(page, 1);
                excess -= 1;
            }
        }
    }

    /// Allocates `count` contiguous pages whose first page number is a multiple of `align`.
    pub fn allocate(&mut self, count: usize, align: usize) -> Option<usize> {
        // Alignment is of the physical page number, not of the index in the pool.
        let index = self.used.allocate_aligned(count, align, self.first)?;
        self.free -= count;
        Some(self.first + index)
    }

    /// Allocates `count` contiguous pages as high in the pool as possible.
    pub fn allocate_from_top(&mut self, count: usize) -> Option<usize> {
        let index = self.used.allocate_from_top(count)?;
        self.free -= count;
        Some(self.first + index)
    }

    /// Returns pages to the pool.
    pub fn release(&mut self, page: usize, count: usize) {
        assert!(self.contains(page) && self.contains(page + count - 1), "page {page:#x} is not from this pool");
        self.used.release(page - self.first, count);
        self.free += count;
    }

    /// Whether `page` belongs to this pool's range.
    pub fn contains(&self, page: usize) -> bool {
        page >= self.first && page < self.first + self.used.len()
    }

    /// The first page number of the pool's range.
    pub fn first_page(&self) -> usize {
        self.first
    }

    /// Pages in the pool's range, usable or not.
    pub fn span(&self) -> usize {
        self.used.len()
    }

    /// Pages free now.
    pub fn free_pages(&self) -> usize {
        self.free
    }

    /// Pages the pool can hand out at all (its size minus holes and the `-ul` cap).
    pub fn usable_pages(&self) -> usize {
        self.usable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_holes_are_never_handed_out() {
        let mut words = [0u32; 1];
        let mut pool = PagePool::new(&mut words, 256, 8);
        pool.reserve(250, 8); // overlaps the start only partly
        assert_eq!(pool.usable_pages(), 6);
        let pages: [usize; 6] = core::array::from_fn(|_| pool.allocate(1, 1).unwrap());
        assert_eq!(pages, [258, 259, 260, 261, 262, 263]);
        assert_eq!(pool.allocate(1, 1), None);
    }

    #[test]
    fn alignment_is_of_physical_page_numbers() {
        let mut words = [0u32; 1];
        let mut pool = PagePool::new(&mut words, 3, 16);
        let stack = pool.allocate(2, 2).unwrap();
        assert_eq!(stack % 2, 0);
        assert_eq!(stack, 4);
        assert_eq!(pool.free_pages(), 14);
    }

    #[test]
    fn limit_caps_usable_pages_and_counts_return_after_release() {
        let mut words = [0u32; 2];
        let mut pool = PagePool::new(&mut words, 0, 40);
        pool.limit(10);
        assert_eq!(pool.usable_pages(), 10);
        let start_free = pool.free_pages();
        let a = pool.allocate(4, 1).unwrap();
        let b = pool.allocate(6, 1).unwrap();
        assert_eq!(pool.allocate(1, 1), None);
        pool.release(a, 4);
        pool.release(b, 6);
        assert_eq!(pool.free_pages(), start_free);
    }

    #[test]
    #[should_panic(expected = "not from this pool")]
    fn foreign_pages_are_rejected() {
        let mut words = [0u32; 1];
        let mut pool = PagePool::new(&mut words, 10, 4);
        pool.release(2, 1);
    }
}
