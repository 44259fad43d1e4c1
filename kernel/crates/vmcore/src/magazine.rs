//! Per-CPU caches of free pages in front of a shared pool: the magazine layer of Bonwick and
//! Adams ("Magazines and Vmem", USENIX 2001). Each CPU allocates from and frees to its own
//! small stack of pages, and goes to the pool (one lock for all CPUs) only to refill an
//! empty magazine or to give back half of a full one, a batch of pages at a time. So page
//! faults on different CPUs rarely meet on the pool's lock, and a page freed on one CPU is
//! the next one that CPU hands out (its cache lines are likely still warm there).

/// A stack of at most `N` free page numbers.
pub struct Magazine<const N: usize> {
    pages: [usize; N],
    count: usize,
}

/// What an allocation through a magazine did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The magazine had a page.
    Cache,
    /// The magazine was empty and was refilled from the pool first.
    Refill,
}

impl<const N: usize> Default for Magazine<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Magazine<N> {
    /// Pages moved between a magazine and the pool at once.
    pub const BATCH: usize = N / 2;

    pub const fn new() -> Magazine<N> {
        Magazine { pages: [0; N], count: 0 }
    }

    /// Pages in the magazine.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Whether the next [`Self::free`] gives pages back to the pool first.
    pub fn is_full(&self) -> bool {
        self.count == N
    }

    /// Takes the page freed last.
    pub fn pop(&mut self) -> Option<usize> {
        self.count = self.count.checked_sub(1)?;
        Some(self.pages[self.count])
    }

    /// Adds a free page; hands it back if the magazine is full.
    pub fn push(&mut self, page: usize) -> Result<(), usize> {
        if self.count == N {
            return Err(page);
        }
        self.pages[self.count] = page;
        self.count += 1;
        Ok(())
    }

    /// Allocates a page: from the magazine, or, if it is empty, after refilling it with up
    /// to [`Self::BATCH`] pages from `pool` (which gives one page per call, `None` when it
    /// is empty). `None` if both are empty.
    pub fn allocate(&mut self, mut pool: impl FnMut() -> Option<usize>) -> Option<(usize, Source)> {
        if let Some(page) = self.pop() {
            return Some((page, Source::Cache));
        }
        for _ in 0..Self::BATCH.max(1) {
            let Some(page) = pool() else { break };
            self.push(page).expect("an empty magazine has room for a batch");
        }
        self.pop().map(|page| (page, Source::Refill))
    }

    /// Frees a page into the magazine; a full magazine first gives [`Self::BATCH`] pages
    /// back to `pool`, so that the next frees and allocations both find it half full.
    pub fn free(&mut self, page: usize, mut pool: impl FnMut(usize)) {
        if self.count == N {
            for _ in 0..Self::BATCH.max(1) {
                pool(self.pop().expect("a full magazine has pages"));
            }
        }
        self.push(page).expect("the magazine has room now");
    }

    /// Empties the magazine into `pool` (when another CPU finds the pool empty).
    pub fn drain(&mut self, mut pool: impl FnMut(usize)) {
        while let Some(page) = self.pop() {
            pool(page);
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use super::*;

    /// A pool of pages `0..count`, handed out lowest first.
    struct Pool(Vec<usize>);

    impl Pool {
        fn new(count: usize) -> Pool {
            Pool((0..count).rev().collect())
        }
    }

    #[test]
    fn an_empty_magazine_refills_a_batch_from_the_pool() {
        let mut pool = Pool::new(100);
        let mut magazine = Magazine::<8>::new();
        assert_eq!(magazine.allocate(|| pool.0.pop()), Some((3, Source::Refill)));
        assert_eq!(magazine.len(), 3);
        assert_eq!(pool.0.len(), 96);
        assert_eq!(magazine.allocate(|| pool.0.pop()), Some((2, Source::Cache)));
    }

    #[test]
    fn a_page_freed_here_is_the_next_one_handed_out_here() {
        let mut pool = Pool::new(100);
        let mut magazine = Magazine::<8>::new();
        magazine.allocate(|| pool.0.pop());
        magazine.free(42, |page| pool.0.push(page));
        assert_eq!(magazine.allocate(|| pool.0.pop()), Some((42, Source::Cache)));
    }

    #[test]
    fn a_full_magazine_gives_half_back_before_it_takes_more() {
        let mut pool = Pool::new(0);
        let mut magazine = Magazine::<8>::new();
        for page in 0..8 {
            magazine.free(page, |page| pool.0.push(page));
        }
        assert!(pool.0.is_empty());
        magazine.free(8, |page| pool.0.push(page));
        assert_eq!(pool.0, [7, 6, 5, 4]);
        assert_eq!(magazine.len(), 5);
    }

    #[test]
    fn with_pool_and_magazine_empty_there_is_no_page() {
        let mut magazine = Magazine::<8>::new();
        assert_eq!(magazine.allocate(|| None), None);
        let mut last = Some(7);
        assert_eq!(magazine.allocate(|| last.take()), Some((7, Source::Refill)));
        assert_eq!(magazine.allocate(|| None), None);
    }

    #[test]
    fn draining_returns_every_page() {
        let mut pool = Pool::new(10);
        let mut magazine = Magazine::<8>::new();
        let (page, _) = magazine.allocate(|| pool.0.pop()).unwrap();
        magazine.free(page, |page| pool.0.push(page));
        magazine.drain(|page| pool.0.push(page));
        assert!(magazine.is_empty());
        let mut pages = pool.0.clone();
        pages.sort();
        assert_eq!(pages, (0..10).collect::<Vec<_>>());
    }
}
