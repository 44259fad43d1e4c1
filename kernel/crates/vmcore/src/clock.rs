//! The clock page-replacement policy, aware of what a victim costs (WSClock-style).
//!
//! Frames sit on a circle; a hand sweeps it. A frame whose page was used since the hand last
//! passed (its accessed bit was set) gets a second chance: the bit is cleared and the hand
//! moves on. Among the frames that were not used, a clean one (its content exists elsewhere:
//! its file, a zero page, or a swap slot from which it was read and not modified since) is
//! free to take, while a dirty one costs a disk write before the frame can be reused. So the
//! hand passes dirty candidates, for a bounded distance, looking for a clean one, and settles
//! for the first dirty one only if none turns up. Frames that are busy (being filled or
//! emptied), pinned (the kernel is copying to or from them), free, or filled by one of the
//! last few faults are skipped.

/// The clock never takes a frame filled by one of the last `RECENT_FILLS` faults. One
/// instruction may need several pages at once (its code, the data it reads and writes, each
/// possibly across a page boundary); if the clock could take the page the last fault just
/// brought in, a process short of frames would fault them in turn forever. With these kept,
/// the instruction completes, or its next fault finds no frame and the process is killed.
pub const RECENT_FILLS: u64 = 4;

/// A page read ahead of its process's faults is not mapped until its process reaches it, so
/// it looks unused: the clock leaves it alone for this many fills, which covers a read-ahead
/// window reached at one fault per page with room to spare. Unused that long, it was read
/// for nothing.
pub const READ_AHEAD_GRACE: u64 = 32;

/// What looking at one frame found. Producing it may have had a side effect: `Referenced`
/// means the accessed bits were cleared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Look {
    /// Free, busy, pinned or just filled: not a candidate now.
    Unavailable,
    /// Used recently: its accessed bits were cleared (its second chance).
    Referenced,
    /// Not used recently, and evicting it costs no write.
    Clean,
    /// Not used recently, but its content must be written out first.
    Dirty,
}

/// What the kernel knows about a frame in use, in the order the policy asks: the cheap,
/// side-effect-free facts first.
pub struct Facts {
    /// In use by pages (not free, not being filled or emptied).
    pub in_use: bool,
    /// The kernel holds it for a copy.
    pub pinned: bool,
    /// Fills of frames since this frame was filled.
    pub fills_since_filled: u64,
    /// It holds a page read ahead that no fault has used yet.
    pub read_ahead: bool,
    /// The sweep leaves its pages alone: they belong to the load-control token's holder
    /// alone, and the holder looks for other processes' pages first (see `token`).
    pub spared: bool,
}

/// Classifies a frame for the hand. `take_referenced` (which clears the accessed bits) and
/// `costs_write` are asked only of frames that may be taken at all, so a skipped frame keeps
/// its accessed bits.
pub fn look(facts: Facts, take_referenced: impl FnOnce() -> bool, costs_write: impl FnOnce() -> bool) -> Look {
    let grace = if facts.read_ahead { READ_AHEAD_GRACE } else { RECENT_FILLS };
    if !facts.in_use || facts.pinned || facts.spared || facts.fills_since_filled < grace {
        Look::Unavailable
    } else if take_referenced() {
        Look::Referenced
    } else if costs_write() {
        Look::Dirty
    } else {
        Look::Clean
    }
}

/// Sweeps from `*hand` over a circle of `frames` frames, looking at each with `look`, and
/// claims a victim with `claim` (which checks again and may refuse, if the frame changed).
/// A clean candidate is claimed at once. The first dirty candidate is remembered, and the
/// hand goes on for at most `clean_search` more frames looking for a clean one; every dirty
/// candidate it passes is reported to `passed_dirty` (so that it can be written out ahead of
/// need). If no clean frame turns up, the first dirty candidate is claimed. The sweep ends
/// after two full turns (the first clears every accessed bit it passes). The hand is left
/// just past the last frame looked at.
pub fn sweep(
    hand: &mut usize,
    frames: usize,
    clean_search: usize,
    mut look: impl FnMut(usize) -> Look,
    mut claim: impl FnMut(usize) -> bool,
    mut passed_dirty: impl FnMut(usize),
) -> Option<usize> {
    if frames == 0 {
        return None;
    }
    let mut first_dirty = None;
    let mut search_left = clean_search;
    for _ in 0..2 * frames {
        if first_dirty.is_some() {
            if search_left == 0 {
                break;
            }
            search_left -= 1;
        }
        let frame = *hand % frames;
        *hand = (frame + 1) % frames;
        match look(frame) {
            Look::Unavailable | Look::Referenced => {}
            Look::Clean => {
                if claim(frame) {
                    return Some(frame);
                }
            }
            Look::Dirty => {
                passed_dirty(frame);
                first_dirty.get_or_insert(frame);
            }
        }
    }
    first_dirty.filter(|&frame| claim(frame))
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    /// A mock frame: its accessed and dirty bits, and whether it can be evicted.
    #[derive(Clone, Copy)]
    struct Frame {
        accessed: bool,
        dirty: bool,
        busy: bool,
        pinned: bool,
        /// Fills since it was filled.
        age: u64,
        read_ahead: bool,
        spared: bool,
        claimed: bool,
    }

    impl Default for Frame {
        fn default() -> Frame {
            Frame {
                accessed: false,
                dirty: false,
                busy: false,
                pinned: false,
                age: RECENT_FILLS,
                read_ahead: false,
                spared: false,
                claimed: false,
            }
        }
    }

    fn run(hand: &mut usize, frames: &mut [Frame], clean_search: usize) -> (Option<usize>, Vec<usize>) {
        let count = frames.len();
        let cells: Vec<core::cell::Cell<Frame>> = frames.iter().map(|&frame| core::cell::Cell::new(frame)).collect();
        let mut passed = Vec::new();
        let victim = sweep(
            hand,
            count,
            clean_search,
            |i| {
                let mut frame = cells[i].get();
                let facts = Facts {
                    in_use: !frame.busy && !frame.claimed,
                    pinned: frame.pinned,
                    fills_since_filled: frame.age,
                    read_ahead: frame.read_ahead,
                    spared: frame.spared,
                };
                let seen = look(facts, || core::mem::take(&mut frame.accessed), || frame.dirty);
                cells[i].set(frame);
                seen
            },
            |i| {
                let mut frame = cells[i].get();
                frame.claimed = true;
                cells[i].set(frame);
                true
            },
            |i| passed.push(i),
        );
        for (frame, cell) in frames.iter_mut().zip(&cells) {
            *frame = cell.get();
        }
        (victim, passed)
    }

    #[test]
    fn takes_the_first_unreferenced_frame_after_the_hand() {
        let mut frames = [Frame::default(); 4];
        let mut hand = 2;
        assert_eq!(run(&mut hand, &mut frames, 8).0, Some(2));
        assert_eq!(hand, 3);
        assert_eq!(run(&mut hand, &mut frames, 8).0, Some(3));
        assert_eq!(run(&mut hand, &mut frames, 8).0, Some(0), "the hand wraps around");
    }

    #[test]
    fn referenced_frames_get_a_second_chance() {
        let mut frames = [Frame { accessed: true, ..Frame::default() }; 3];
        frames[1].accessed = false;
        let mut hand = 0;
        assert_eq!(run(&mut hand, &mut frames, 8).0, Some(1));
        assert!(!frames[0].accessed, "passing frame 0 cleared its bit");
        assert!(frames[2].accessed, "the hand stopped before frame 2");
    }

    #[test]
    fn when_every_frame_was_used_the_second_turn_finds_the_first() {
        let mut frames = [Frame { accessed: true, ..Frame::default() }; 5];
        let mut hand = 3;
        assert_eq!(run(&mut hand, &mut frames, 8).0, Some(3));
        assert!(frames.iter().all(|f| !f.accessed));
    }

    #[test]
    fn a_clean_frame_is_preferred_to_an_earlier_dirty_one() {
        let mut frames = [Frame { dirty: true, ..Frame::default() }; 6];
        frames[4].dirty = false;
        let mut hand = 1;
        let (victim, passed) = run(&mut hand, &mut frames, 8);
        assert_eq!(victim, Some(4));
        assert_eq!(passed, [1, 2, 3], "the dirty frames passed are reported for writing ahead");
        assert!(!frames[1].claimed);
    }

    #[test]
    fn the_search_for_a_clean_frame_is_bounded() {
        let mut frames = [Frame { dirty: true, ..Frame::default() }; 10];
        frames[8].dirty = false;
        let mut hand = 0;
        let (victim, passed) = run(&mut hand, &mut frames, 3);
        assert_eq!(victim, Some(0), "no clean frame within 3 of the first dirty one: take it");
        assert_eq!(passed, [0, 1, 2, 3]);
        assert_eq!(hand, 4, "the hand stays past what it looked at");
        assert!(frames[0].claimed && !frames[8].claimed);
    }

    #[test]
    fn all_dirty_takes_the_first_dirty_frame() {
        let mut frames = [Frame { dirty: true, ..Frame::default() }; 4];
        let mut hand = 2;
        assert_eq!(run(&mut hand, &mut frames, 100).0, Some(2));
    }

    #[test]
    fn busy_pinned_spared_and_recently_filled_frames_are_skipped_with_their_bits_kept() {
        let mut frames = [Frame { accessed: true, ..Frame::default() }; 6];
        frames[0].busy = true;
        frames[1].pinned = true;
        frames[2].age = RECENT_FILLS - 1;
        frames[3].spared = true;
        frames[3].accessed = false;
        frames[4].accessed = false;
        let mut hand = 0;
        assert_eq!(run(&mut hand, &mut frames, 8).0, Some(4));
        assert!(frames[0].accessed && frames[1].accessed && frames[2].accessed, "skipped frames keep their accessed bits");
    }

    #[test]
    fn a_page_read_ahead_is_left_alone_for_a_while() {
        let mut frames = [Frame { read_ahead: true, age: READ_AHEAD_GRACE - 1, ..Frame::default() }; 3];
        frames[2].read_ahead = false;
        let mut hand = 0;
        assert_eq!(run(&mut hand, &mut frames, 8).0, Some(2));
        frames[0].age = READ_AHEAD_GRACE;
        assert_eq!(run(&mut hand, &mut frames, 8).0, Some(0), "unused that long, it was read for nothing");
    }

    #[test]
    fn a_refused_claim_moves_on() {
        let mut hand = 0;
        let mut claims = Vec::new();
        let victim = sweep(
            &mut hand,
            3,
            8,
            |_| Look::Clean,
            |i| {
                claims.push(i);
                i != 0
            },
            |_| {},
        );
        assert_eq!(victim, Some(1));
        assert_eq!(claims, [0, 1]);
    }

    #[test]
    fn nothing_evictable_gives_none_after_two_turns() {
        let mut visits = Vec::new();
        let mut hand = 1;
        let result = sweep(
            &mut hand,
            3,
            8,
            |i| {
                visits.push(i);
                Look::Unavailable
            },
            |_| true,
            |_| {},
        );
        assert_eq!(result, None);
        assert_eq!(visits, [1, 2, 0, 1, 2, 0]);
    }

    #[test]
    fn an_empty_table_has_no_victim() {
        let mut hand = 0;
        assert_eq!(sweep(&mut hand, 0, 8, |_| Look::Clean, |_| true, |_| {}), None);
    }
}
