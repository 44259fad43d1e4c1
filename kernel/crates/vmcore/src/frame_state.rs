//! The life of a physical frame, as a state machine the kernel checks every transition
//! against. A frame is `Free` in the page pool, `Filling` while one fault owns it and fills
//! it (or while it is written back before release), `InUse` while it holds pages that may be
//! evicted, and `Evicting` while its content is being written out or dropped.
//!
//! The host's model of the fault, eviction and release protocol (`rintos-modelcheck`, `vm`)
//! runs these very transitions under the model checker.

/// Where a frame is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FramePhase {
    Free,
    Filling,
    InUse,
    Evicting,
}

/// What happens to a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameEvent {
    /// Taken from the page pool by a fault.
    Allocate,
    /// Its content is complete and mapped.
    Filled,
    /// Chosen by the clock hand.
    Claim,
    /// Its old content is gone; it now belongs to the fault that evicted it.
    Evicted,
    /// Its last user is leaving and must write it back first (dirty mmap page).
    WriteBack,
    /// Returned to the page pool.
    Release,
}

/// A transition the design does not allow: a bug.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IllegalTransition {
    pub from: FramePhase,
    pub event: FrameEvent,
}

impl FramePhase {
    /// The phase after `event`, or the error that says why it cannot happen.
    pub fn next(self, event: FrameEvent) -> Result<FramePhase, IllegalTransition> {
        use FrameEvent::*;
        use FramePhase::*;
        match (self, event) {
            (Free, Allocate) => Ok(Filling),
            (Filling, Filled) => Ok(InUse),
            (InUse, Claim) => Ok(Evicting),
            (Evicting, Evicted) => Ok(Filling),
            (InUse, WriteBack) => Ok(Filling),
            (Filling | InUse, Release) => Ok(Free),
            (from, event) => Err(IllegalTransition { from, event }),
        }
    }

    /// Whether the clock may consider the frame at all.
    pub fn evictable(self) -> bool {
        self == FramePhase::InUse
    }
}

/// A frame's state as its keeper records it (the kernel's frame table, the host's model):
/// the keeper says which phase each state is in, and changes it only by [`Self::transition`].
pub trait LifeCycle: Sized {
    fn phase(&self) -> FramePhase;

    /// Moves to `next` by `event` and returns the state it leaves. Panics if the life cycle
    /// forbids the move, or if `event` leads to another phase than `next`'s: a bug.
    fn transition(&mut self, event: FrameEvent, next: Self) -> Self {
        let expected = self.phase().next(event).unwrap_or_else(|illegal| panic!("frame: {illegal:?}"));
        assert_eq!(expected, next.phase(), "frame: {event:?} must lead to {expected:?}");
        core::mem::replace(self, next)
    }
}

#[cfg(test)]
mod tests {
    use super::FrameEvent::*;
    use super::FramePhase::*;
    use super::*;

    fn run(events: &[FrameEvent]) -> Result<FramePhase, IllegalTransition> {
        events.iter().try_fold(Free, |phase, &event| phase.next(event))
    }

    #[test]
    fn a_frame_is_filled_used_evicted_and_reused() {
        assert_eq!(run(&[Allocate, Filled, Claim, Evicted, Filled]), Ok(InUse));
    }

    #[test]
    fn a_frame_is_released_by_its_last_user_or_a_failed_fill() {
        assert_eq!(run(&[Allocate, Filled, Release]), Ok(Free));
        assert_eq!(run(&[Allocate, Release]), Ok(Free));
        assert_eq!(run(&[Allocate, Filled, WriteBack, Release]), Ok(Free));
    }

    #[test]
    fn busy_frames_cannot_be_claimed_or_released() {
        assert_eq!(run(&[Allocate, Claim]), Err(IllegalTransition { from: Filling, event: Claim }));
        assert_eq!(run(&[Allocate, Filled, Claim, Release]), Err(IllegalTransition { from: Evicting, event: Release }));
        assert_eq!(run(&[Allocate, Filled, Claim, Claim]), Err(IllegalTransition { from: Evicting, event: Claim }));
    }

    #[test]
    fn a_free_frame_has_no_content_to_use() {
        assert_eq!(Free.next(Filled), Err(IllegalTransition { from: Free, event: Filled }));
        assert_eq!(Free.next(Release), Err(IllegalTransition { from: Free, event: Release }));
        assert!(!Free.evictable() && !Filling.evictable() && !Evicting.evictable() && InUse.evictable());
    }

    /// A keeper that records nothing but the phase.
    #[derive(Debug, PartialEq)]
    struct Recorded(FramePhase);

    impl LifeCycle for Recorded {
        fn phase(&self) -> FramePhase {
            self.0
        }
    }

    #[test]
    fn a_keeper_moves_by_legal_transitions_and_gets_the_old_state_back() {
        let mut frame = Recorded(Free);
        assert_eq!(frame.transition(Allocate, Recorded(Filling)), Recorded(Free));
        assert_eq!(frame, Recorded(Filling));
    }

    #[test]
    #[should_panic(expected = "frame: IllegalTransition { from: Filling, event: Claim }")]
    fn a_keeper_cannot_claim_a_frame_being_filled() {
        Recorded(Filling).transition(Claim, Recorded(Evicting));
    }

    #[test]
    #[should_panic(expected = "frame: Filled must lead to InUse")]
    fn a_keeper_cannot_land_in_another_phase_than_the_event_leads_to() {
        Recorded(Filling).transition(Filled, Recorded(Free));
    }
}
