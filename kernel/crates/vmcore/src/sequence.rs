//! Scan resistance: a process that faults its way through consecutive pages it has had
//! before (reading them back from swap or a file) is walking an area larger than the memory
//! it gets — typically again and again, like page-linear. A plain clock (or LRU) then takes
//! the oldest pages, exactly the ones the next pass needs first, and every access of every
//! pass faults. Like the SEQ policy, we detect such runs of faults (ascending, with small
//! gaps where pages stayed in memory) and take the victim from the run itself, a few pages
//! behind its front (most recently used first): the pages the pass passed long ago stay, and
//! the next pass finds them in memory.

/// How far behind the front of a run its pages become victims: the pages just faulted in may
/// still be in use (an instruction that straddles pages, a copy that spans several).
pub const DROP_BEHIND_GAP: usize = 8;
/// How many pages behind the gap are tried, nearest first, before the run gives up (its pages
/// there are already gone).
pub const DROP_BEHIND_TRIES: usize = 8;

/// How far ahead of a run's last fault the next one may be and still continue it: a pass
/// over pages of which some stayed in memory faults only on the others.
pub const MAX_STRIDE: usize = 8;

/// The run of consecutive faults of one address space (page numbers).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sequence {
    /// The first page of the run.
    start: usize,
    /// The page after the run's last fault.
    next: usize,
}

impl Sequence {
    /// Notes a fault that read `page` back: it extends the run if it is the run's last page
    /// or comes after it by at most [`MAX_STRIDE`] (the pages skipped were still in memory),
    /// and otherwise starts a new run.
    pub fn note(&mut self, page: usize) {
        let continues = self.next > self.start && page + 1 >= self.next && page < self.next + MAX_STRIDE;
        if continues {
            self.next = page + 1;
        } else {
            *self = Sequence { start: page, next: page + 1 };
        }
    }

    /// Whether the run has gone on past its first fault: the process is going through its
    /// pages in order, and the pages after the front are worth reading ahead.
    pub fn streaming(self) -> bool {
        self.next > self.start + 1
    }

    /// Pages of the run to evict, best first: the ones [`DROP_BEHIND_GAP`] and more behind its
    /// front, never before its start.
    pub fn behind(self) -> impl Iterator<Item = usize> {
        let newest = self.next.checked_sub(DROP_BEHIND_GAP + 1).filter(|&page| page >= self.start);
        let start = self.start;
        newest.into_iter().flat_map(move |newest| (start..=newest).rev().take(DROP_BEHIND_TRIES))
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use crate::clock::{self, Facts};
    use std::vec;
    use std::vec::Vec;

    #[test]
    fn consecutive_faults_make_a_run_and_a_jump_starts_another() {
        let mut run = Sequence::default();
        for page in 100..120 {
            run.note(page);
        }
        assert_eq!(run.behind().collect::<Vec<_>>(), [111, 110, 109, 108, 107, 106, 105, 104]);
        run.note(500);
        assert_eq!(run.behind().count(), 0, "a new run has nothing behind its gap yet");
        assert!(!run.streaming(), "one fault is not a run yet");
        run.note(501);
        assert!(run.streaming());
    }

    #[test]
    fn pages_still_in_memory_may_be_skipped() {
        let mut run = Sequence::default();
        for page in (0..60).step_by(3) {
            run.note(page);
        }
        assert_eq!(run.behind().next(), Some(57 - DROP_BEHIND_GAP));
        run.note(57 + MAX_STRIDE + 1);
        assert_eq!(run.behind().count(), 0, "too far ahead: a new run");
    }

    #[test]
    fn a_short_run_gives_nothing_and_never_reaches_before_its_start() {
        let mut run = Sequence::default();
        for page in 10..20 {
            run.note(page);
        }
        assert_eq!(run.behind().collect::<Vec<_>>(), [11, 10]);
        run.note(19);
        assert_eq!(run.behind().collect::<Vec<_>>(), [11, 10], "a repeated fault keeps the run");
    }

    #[derive(Clone, Copy, PartialEq)]
    enum Policy {
        /// Second chance only: the first unreferenced frame, clean or not.
        PlainClock,
        /// Clean frames first (`clock::sweep` with a search of 32 frames).
        CostAware,
        /// Victims from the run of faults first, then the cost-aware clock.
        DropBehind,
    }

    /// Memory of `frames` frames under `policy`, touched by `trace` (page, write). Returns
    /// (reads, writes): faults on pages that had been evicted before, and evictions of pages
    /// modified since they were last read.
    fn simulate(frames: usize, trace: &[(usize, bool)], policy: Policy) -> (usize, usize) {
        #[derive(Clone, Copy)]
        struct Slot {
            page: usize,
            accessed: bool,
            dirty: bool,
            filled_at: u64,
        }
        let pages = trace.iter().map(|&(page, _)| page).max().unwrap_or(0) + 1;
        let mut frame_of: Vec<Option<usize>> = vec![None; pages];
        let mut evicted_before = vec![false; pages];
        let mut table: Vec<Option<Slot>> = vec![None; frames];
        let (mut hand, mut fills, mut reads, mut writes) = (0, 0u64, 0, 0);
        let mut run = Sequence::default();
        for &(page, write) in trace {
            if frame_of[page].is_none() {
                fills += 1;
                if evicted_before[page] {
                    reads += 1;
                    run.note(page);
                }
                let free = table.iter().position(Option::is_none);
                let behind = (policy == Policy::DropBehind).then(|| run.behind().find_map(|page| frame_of[page])).flatten();
                let clean_search = if policy == Policy::PlainClock { 0 } else { 32 };
                let id = free.or(behind).unwrap_or_else(|| {
                    clock::sweep(
                        &mut hand,
                        frames,
                        clean_search,
                        |id| {
                            let slot = table[id].as_mut().unwrap();
                            let facts = Facts {
                                in_use: true,
                                pinned: false,
                                fills_since_filled: fills - slot.filled_at,
                                read_ahead: false,
                                spared: false,
                            };
                            clock::look(facts, || core::mem::take(&mut slot.accessed), || slot.dirty)
                        },
                        |_| true,
                        |_| {},
                    )
                    .unwrap()
                });
                if let Some(old) = table[id].take() {
                    frame_of[old.page] = None;
                    evicted_before[old.page] = true;
                    writes += usize::from(old.dirty);
                }
                table[id] = Some(Slot { page, accessed: false, dirty: false, filled_at: fills });
                frame_of[page] = Some(id);
            }
            let slot = table[frame_of[page].unwrap()].as_mut().unwrap();
            slot.accessed = true;
            slot.dirty |= write;
        }
        (reads, writes)
    }

    /// page-linear's pattern: 512 pages in 300 frames, written once, then read, modified
    /// twice and read again, each pass in order from the first page to the last.
    fn linear_passes() -> Vec<(usize, bool)> {
        let mut trace = Vec::new();
        for write in [true, false, true, true, false] {
            trace.extend((0..512).map(|page| (page, write)));
        }
        trace
    }

    #[test]
    fn a_cyclic_walk_larger_than_memory_keeps_most_of_its_pages() {
        let trace = linear_passes();
        let (clock_reads, clock_writes) = simulate(300, &trace, Policy::PlainClock);
        let (cost_reads, cost_writes) = simulate(300, &trace, Policy::CostAware);
        let (reads, writes) = simulate(300, &trace, Policy::DropBehind);
        std::println!("plain {clock_reads}+{clock_writes}, cost-aware {cost_reads}+{cost_writes}, drop-behind {reads}+{writes}");
        // A plain clock takes every page before its next use: every pass reads all 512 back.
        assert_eq!(clock_reads, 4 * 512);
        // Drop-behind keeps about 300 - GAP pages: each later pass reads back the rest only.
        assert!(reads <= 4 * (512 - 300 + 2 * DROP_BEHIND_GAP), "{reads} reads");
        assert!(reads + writes < (clock_reads + clock_writes) / 2, "{reads} + {writes} against {clock_reads} + {clock_writes}");
        assert!(reads + writes < cost_reads + cost_writes, "{reads} + {writes} against {cost_reads} + {cost_writes}");
    }

    #[test]
    fn a_walk_that_fits_in_memory_is_not_disturbed() {
        let trace: Vec<(usize, bool)> = (0..5).flat_map(|_| (0..200).map(|page| (page, true))).collect();
        assert_eq!(simulate(300, &trace, Policy::DropBehind), (0, 0));
    }
}
