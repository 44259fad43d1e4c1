//! A bitmap allocator: one bit per item (page, swap slot), set = in use.

/// A fixed-size set of bits over borrowed storage, so the kernel can keep it in a static
/// array before it has a heap.
pub struct Bitmap<'a> {
    words: &'a mut [u32],
    len: usize,
}

impl<'a> Bitmap<'a> {
    /// A bitmap of `len` bits, all clear. `words` must hold at least `len` bits.
    pub fn new(words: &'a mut [u32], len: usize) -> Bitmap<'a> {
        assert!(words.len() * 32 >= len, "bitmap storage too small for {len} bits");
        words.fill(0);
        Bitmap { words, len }
    }

    /// Number of bits.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the bitmap has no bits at all.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether bit `i` is set.
    pub fn test(&self, i: usize) -> bool {
        assert!(i < self.len, "bit {i} out of range");
        self.words[i / 32] & (1 << (i % 32)) != 0
    }

    /// Sets or clears bits `start..start + count`.
    pub fn set_range(&mut self, start: usize, count: usize, value: bool) {
        assert!(start + count <= self.len, "bits {start}+{count} out of range");
        for i in start..start + count {
            let mask = 1 << (i % 32);
            if value {
                self.words[i / 32] |= mask;
            } else {
                self.words[i / 32] &= !mask;
            }
        }
    }

    /// Whether every bit of `start..start + count` equals `value`.
    pub fn all(&self, start: usize, count: usize, value: bool) -> bool {
        (start..start + count).all(|i| self.test(i) == value)
    }

    /// Number of set bits.
    pub fn count_set(&self) -> usize {
        let full = self.len / 32;
        let whole: usize = self.words[..full].iter().map(|w| w.count_ones() as usize).sum();
        whole + (full * 32..self.len).filter(|&i| self.test(i)).count()
    }

    /// Finds `count` clear bits in a row whose first index is a multiple of `align`, sets
    /// them and returns the first index; `None` if no such run exists.
    pub fn allocate(&mut self, count: usize, align: usize) -> Option<usize> {
        self.allocate_aligned(count, align, 0)
    }

    /// Like [`Bitmap::allocate`], but aligns `first index + phase` rather than the index, for
    /// a bitmap whose bit 0 stands for item number `phase`.
    pub fn allocate_aligned(&mut self, count: usize, align: usize, phase: usize) -> Option<usize> {
        assert!(count > 0 && align > 0);
        let aligned = |i: usize| (i + phase).next_multiple_of(align) - phase;
        let mut start = aligned(0);
        while start + count <= self.len {
            if self.test(start) {
                // Whole words at a time: the kernel allocates with interrupts off, and a
                // nearly full pool would cost a test per bit.
                start = aligned(self.next_clear(start)?);
                continue;
            }
            match (start..start + count).find(|&i| self.test(i)) {
                None => {
                    self.set_range(start, count, true);
                    return Some(start);
                }
                Some(used) => start = aligned(used + 1),
            }
        }
        None
    }

    /// The first clear bit at or after `from`, if any.
    fn next_clear(&self, from: usize) -> Option<usize> {
        let below = (1u32 << (from % 32)) - 1;
        let mut word = from / 32;
        let mut bits = self.words.get(word)? | below;
        while bits == u32::MAX {
            word += 1;
            bits = *self.words.get(word)?;
        }
        let clear = word * 32 + (!bits).trailing_zeros() as usize;
        (clear < self.len).then_some(clear)
    }

    /// Like [`Bitmap::allocate`], but takes the highest free run: a second kind of user can
    /// grow from the top of the space while the first grows from the bottom, so the two do
    /// not fragment each other.
    pub fn allocate_from_top(&mut self, count: usize) -> Option<usize> {
        assert!(count > 0);
        let mut end = self.len;
        while end >= count {
            match (end - count..end).rev().find(|&i| self.test(i)) {
                None => {
                    self.set_range(end - count, count, true);
                    return Some(end - count);
                }
                Some(used) => end = used,
            }
        }
        None
    }

    /// Takes up to `wanted` clear bits in a row, for items moved in one request: the first
    /// run that long, or else the longest shorter one (the first of equal ones). Returns its
    /// first index and length; `None` only when no bit is clear.
    pub fn allocate_run(&mut self, wanted: usize) -> Option<(usize, usize)> {
        assert!(wanted > 0);
        let mut best: Option<(usize, usize)> = None;
        let mut start = self.next_clear(0);
        while let Some(first) = start {
            let length = (first..self.len.min(first + wanted)).take_while(|&i| !self.test(i)).count();
            if best.is_none_or(|(_, longest)| length > longest) {
                best = Some((first, length));
            }
            if length == wanted {
                break;
            }
            start = self.next_clear(first + length);
        }
        let (first, length) = best?;
        self.set_range(first, length, true);
        Some((first, length))
    }

    /// Clears `start..start + count`, which must all be set: freeing something twice is a
    /// bug worth stopping for.
    pub fn release(&mut self, start: usize, count: usize) {
        assert!(self.all(start, count, true), "releasing bits {start}+{count} that are not all in use");
        self.set_range(start, count, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocates_lowest_free_run_and_reuses_released_bits() {
        let mut words = [0u32; 4];
        let mut bits = Bitmap::new(&mut words, 100);
        assert_eq!(bits.allocate(3, 1), Some(0));
        assert_eq!(bits.allocate(1, 1), Some(3));
        bits.release(0, 3);
        assert_eq!(bits.allocate(2, 1), Some(0));
        assert_eq!(bits.count_set(), 3);
    }

    #[test]
    fn honours_alignment() {
        let mut words = [0u32; 1];
        let mut bits = Bitmap::new(&mut words, 32);
        assert_eq!(bits.allocate(1, 1), Some(0));
        assert_eq!(bits.allocate(2, 2), Some(2));
        assert_eq!(bits.allocate(4, 4), Some(4));
        assert!(bits.test(2) && bits.test(3) && !bits.test(1));
    }

    #[test]
    fn reports_exhaustion_without_partial_allocation() {
        let mut words = [0u32; 2];
        let mut bits = Bitmap::new(&mut words, 40);
        assert_eq!(bits.allocate(39, 1), Some(0));
        assert_eq!(bits.allocate(2, 1), None);
        assert_eq!(bits.count_set(), 39);
        assert_eq!(bits.allocate(1, 1), Some(39));
        assert_eq!(bits.allocate(1, 1), None);
    }

    #[test]
    fn skips_full_words_and_finds_runs_across_word_boundaries() {
        let mut words = [0u32; 3];
        let mut bits = Bitmap::new(&mut words, 96);
        bits.set_range(0, 60, true);
        assert_eq!(bits.allocate(8, 1), Some(60));
        assert!(bits.all(60, 8, true));
    }

    #[test]
    fn finds_the_same_run_as_a_search_bit_by_bit() {
        // Random patterns of used bits (a pool fragmented by frees), every count and
        // alignment: the first fitting run, as testing each bit in turn would find it.
        let mut seed = 0x2545_f491_u32;
        let mut random = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for round in 0..200 {
            let len = 1 + (random() % 130) as usize;
            let mut words = [0u32; 5];
            let mut bits = Bitmap::new(&mut words, len);
            let density = random() % 100;
            for i in 0..len {
                if random() % 100 < density {
                    bits.set_range(i, 1, true);
                }
            }
            let (count, align, phase) = (1 + (random() % 4) as usize, 1 + (random() % 4) as usize, (random() % 4) as usize);
            let expected = (0..len)
                .filter(|start| (start + phase) % align == 0 && start + count <= len)
                .find(|&start| bits.all(start, count, false));
            assert_eq!(bits.allocate_aligned(count, align, phase), expected, "round {round}");
        }
    }

    #[test]
    fn allocating_from_the_top_keeps_away_from_the_bottom() {
        let mut words = [0u32; 2];
        let mut bits = Bitmap::new(&mut words, 40);
        assert_eq!(bits.allocate(2, 1), Some(0));
        assert_eq!(bits.allocate_from_top(8), Some(32));
        bits.set_range(30, 1, true);
        assert_eq!(bits.allocate_from_top(4), Some(26), "skips the used bit 30");
        assert_eq!(bits.allocate_from_top(30), None);
        assert_eq!(bits.allocate(3, 1), Some(2));
    }

    #[test]
    fn a_run_is_the_first_long_enough_or_else_the_longest() {
        let mut words = [0u32; 2];
        let mut bits = Bitmap::new(&mut words, 64);
        assert_eq!(bits.allocate_run(8), Some((0, 8)));
        bits.set_range(10, 1, true);
        bits.set_range(14, 1, true);
        assert_eq!(bits.allocate_run(8), Some((15, 8)), "skips the gaps of 2 and 3 bits");
        bits.set_range(23, 41, true);
        assert_eq!(bits.allocate_run(8), Some((11, 3)), "the longest gap left");
        assert_eq!(bits.allocate_run(8), Some((8, 2)));
        assert_eq!(bits.allocate_run(8), None);
        assert_eq!(bits.count_set(), 64);
    }

    #[test]
    fn a_run_crosses_word_boundaries_and_stops_at_the_end() {
        let mut words = [0u32; 2];
        let mut bits = Bitmap::new(&mut words, 40);
        bits.set_range(0, 30, true);
        assert_eq!(bits.allocate_run(8), Some((30, 8)));
        assert_eq!(bits.allocate_run(8), Some((38, 2)));
        assert_eq!(bits.allocate_run(1), None);
    }

    #[test]
    #[should_panic(expected = "not all in use")]
    fn double_release_is_caught() {
        let mut words = [0u32; 1];
        let mut bits = Bitmap::new(&mut words, 8);
        let at = bits.allocate(2, 1).unwrap();
        bits.release(at, 2);
        bits.release(at, 2);
    }
}
