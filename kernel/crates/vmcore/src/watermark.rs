//! When to write dirty pages out ahead of need. The pageout task keeps a reserve of frames
//! that the clock can take without a write (free ones, and clean unused ones) between two
//! watermarks: it starts cleaning when the reserve falls below the low one and goes on until
//! it reaches the high one, so that it works in batches and not a page on every fault.

/// The two watermarks, in frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Watermarks {
    pub low: usize,
    pub high: usize,
}

impl Watermarks {
    /// Watermarks for a pool of `frames` frames: low at 1/64 of it and high at 1/32, at
    /// least 4 and 8 frames (one cluster of writes is up to 8 pages). Low ones, because a
    /// page cleaned ahead and written again before the clock takes it costs a second write.
    pub fn for_pool(frames: usize) -> Watermarks {
        let low = (frames / 64).max(4);
        Watermarks { low, high: (frames / 32).max(low + 4) }
    }
}

/// The cleaner's state: whether it is in a batch.
#[derive(Debug)]
pub struct Cleaner {
    marks: Watermarks,
    in_batch: bool,
}

impl Cleaner {
    pub fn new(marks: Watermarks) -> Cleaner {
        Cleaner { marks, in_batch: false }
    }

    /// Given the reserve now, whether to write out more dirty pages.
    pub fn should_clean(&mut self, reserve: usize) -> bool {
        if reserve < self.marks.low {
            self.in_batch = true;
        } else if reserve >= self.marks.high {
            self.in_batch = false;
        }
        self.in_batch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_starts_below_low_and_ends_at_high() {
        let mut cleaner = Cleaner::new(Watermarks { low: 4, high: 10 });
        assert!(!cleaner.should_clean(6), "between the marks, an idle cleaner stays idle");
        assert!(cleaner.should_clean(3), "below low: a batch starts");
        assert!(cleaner.should_clean(6), "between the marks, the batch goes on");
        assert!(cleaner.should_clean(9));
        assert!(!cleaner.should_clean(10), "at high: the batch ends");
        assert!(!cleaner.should_clean(5));
    }

    #[test]
    fn watermarks_scale_with_the_pool_and_have_floors() {
        assert_eq!(Watermarks::for_pool(366), Watermarks { low: 5, high: 11 });
        assert_eq!(Watermarks::for_pool(1024), Watermarks { low: 16, high: 32 });
        assert_eq!(Watermarks::for_pool(16), Watermarks { low: 4, high: 8 });
    }
}
