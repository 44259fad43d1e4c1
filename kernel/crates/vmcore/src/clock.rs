//! The clock (second-chance) page-replacement policy.
//!
//! Frames sit on a circle; a hand sweeps it. A frame whose page was used since the hand last
//! passed (its accessed bit was set) gets a second chance: the bit is cleared and the hand
//! moves on. The first frame that was not used is the victim. Frames that are busy (being
//! filled or emptied), pinned (the kernel is copying to or from them) or free are skipped.

/// What looking at one frame found. Producing it may have side effects: `Referenced` means
/// the accessed bits were cleared; `Claimed` means the frame now belongs to the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inspection {
    /// Free, busy or pinned: not a candidate now.
    Unavailable,
    /// Used recently: its accessed bits were cleared (its second chance).
    Referenced,
    /// Not used recently: claimed for eviction.
    Claimed,
}

/// Sweeps from `*hand` over `frames` frames, inspecting each, until one is claimed. Two full
/// turns suffice: the first clears every accessed bit it passes, so the second finds an
/// unreferenced frame unless every frame is unavailable (or keeps being used). Returns the
/// claimed frame and leaves the hand just past it.
pub fn sweep(hand: &mut usize, frames: usize, mut inspect: impl FnMut(usize) -> Inspection) -> Option<usize> {
    if frames == 0 {
        return None;
    }
    for _ in 0..2 * frames {
        let frame = *hand % frames;
        *hand = (frame + 1) % frames;
        if inspect(frame) == Inspection::Claimed {
            return Some(frame);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    /// A mock frame: its accessed and dirty bits, and whether it can be evicted.
    #[derive(Clone, Copy, Default)]
    struct Frame {
        accessed: bool,
        busy: bool,
        pinned: bool,
        claimed: bool,
    }

    fn inspect(frames: &mut [Frame]) -> impl FnMut(usize) -> Inspection + '_ {
        |i| {
            let frame = &mut frames[i];
            if frame.busy || frame.pinned || frame.claimed {
                Inspection::Unavailable
            } else if frame.accessed {
                frame.accessed = false;
                Inspection::Referenced
            } else {
                frame.claimed = true;
                Inspection::Claimed
            }
        }
    }

    #[test]
    fn takes_the_first_unreferenced_frame_after_the_hand() {
        let mut frames = [Frame::default(); 4];
        let mut hand = 2;
        assert_eq!(sweep(&mut hand, 4, inspect(&mut frames)), Some(2));
        assert_eq!(hand, 3);
        assert_eq!(sweep(&mut hand, 4, inspect(&mut frames)), Some(3));
        assert_eq!(sweep(&mut hand, 4, inspect(&mut frames)), Some(0), "the hand wraps around");
    }

    #[test]
    fn referenced_frames_get_a_second_chance() {
        let mut frames = [Frame { accessed: true, ..Frame::default() }; 3];
        frames[1].accessed = false;
        let mut hand = 0;
        assert_eq!(sweep(&mut hand, 3, inspect(&mut frames)), Some(1));
        assert!(!frames[0].accessed, "passing frame 0 cleared its bit");
        assert!(frames[2].accessed, "the hand stopped before frame 2");
    }

    #[test]
    fn when_every_frame_was_used_the_second_turn_finds_the_first() {
        let mut frames = [Frame { accessed: true, ..Frame::default() }; 5];
        let mut hand = 3;
        assert_eq!(sweep(&mut hand, 5, inspect(&mut frames)), Some(3));
        assert!(frames.iter().all(|f| !f.accessed));
    }

    #[test]
    fn busy_and_pinned_frames_are_skipped() {
        let mut frames = [Frame::default(); 4];
        frames[0].busy = true;
        frames[1].pinned = true;
        let mut hand = 0;
        assert_eq!(sweep(&mut hand, 4, inspect(&mut frames)), Some(2));
    }

    #[test]
    fn nothing_evictable_gives_none_after_two_turns() {
        let mut frames = [Frame { pinned: true, ..Frame::default() }; 3];
        let mut visits = Vec::new();
        let mut hand = 1;
        let result = sweep(&mut hand, 3, |i| {
            visits.push(i);
            inspect(&mut frames)(i)
        });
        assert_eq!(result, None);
        assert_eq!(visits, [1, 2, 0, 1, 2, 0]);
    }

    #[test]
    fn an_empty_table_has_no_victim() {
        let mut hand = 0;
        assert_eq!(sweep(&mut hand, 0, |_| Inspection::Claimed), None);
    }
}
