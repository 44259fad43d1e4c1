//! Load control: when the processes that are faulting need more frames than there are, one
//! of them at a time (the token's holder) builds its working set, and the others wait for
//! their turn instead of taking each other's pages.
//!
//! Without it, four processes that each need most of memory (page-parallel) take frames
//! from one another in turn, and every page each of them wrote goes out to swap and comes
//! back, more or less, depending on how their time slices happen to interleave. The idea is
//! Linux's swap token (2.6.9 to 3.4), which spared its holder's pages from the others'
//! evictions; Rintos also holds the others back. While one process holds the token, the
//! free frames are its own, and another process may take only a frame that costs no write
//! (a clean page: its file, a zero page or its swap slot has it). A fault that finds none
//! waits until its turn comes. The token is free again when its holder exits or waits for
//! another process (a child's exit or load), and it passes to a waiting process once its
//! holder has had it for [`MAX_HOLD`] ticks, whatever the holder is doing (so a holder that
//! waits for something else, a lock or the keyboard, holds the others back for a bounded
//! time only). While others wait, the holder evicts their pages before its own: those are
//! the pages it needs next.
//!
//! A token given up goes straight to the first process that had to wait for it (its heir),
//! not to whoever faults next: the frames its holder leaves would otherwise be shared out
//! among all the waiting processes, none of which could then finish, and memory would be
//! overcommitted again at once.
//!
//! Processes are named by a number the kernel chooses (the address of their address space).

/// The longest a holder keeps the token while others wait for it, in timer ticks.
pub const MAX_HOLD: u64 = 50;

/// What a process that needs a frame may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Nobody holds the token: it takes a free frame, or if there is none, the token.
    Free,
    /// It holds the token: it may take a free frame or evict any page. While `others_wait`,
    /// it takes their pages before its own.
    Holder { others_wait: bool },
    /// Another process holds the token: this one may take only a frame that needs no write
    /// and is not free (the free ones are the holder's); otherwise it waits for its turn.
    Waiter,
}

/// The token: who holds it, since when, and who is next.
#[derive(Debug, Default)]
pub struct Token {
    holder: Option<Turn>,
    /// The first process that had to wait during the current turn: the next holder.
    heir: Option<usize>,
    /// Turns begun or ended so far: whoever waits for the current turn to end looks at this.
    changes: u64,
}

#[derive(Clone, Copy, Debug)]
struct Turn {
    who: usize,
    since: u64,
}

impl Token {
    pub const fn new() -> Token {
        Token { holder: None, heir: None, changes: 0 }
    }

    /// The role of `who`, which needs a frame at tick `now`. A turn that has lasted
    /// [`MAX_HOLD`] ticks passes to `who`.
    pub fn role(&mut self, who: usize, now: u64) -> Role {
        match self.holder {
            None => Role::Free,
            Some(turn) if turn.who == who => Role::Holder { others_wait: self.heir.is_some() },
            Some(turn) if now < turn.since + MAX_HOLD => Role::Waiter,
            Some(_) => self.begin_turn(who, now),
        }
    }

    /// `who` found no free frame at tick `now`: it takes the token unless somebody holds it.
    pub fn take(&mut self, who: usize, now: u64) -> Role {
        match self.role(who, now) {
            Role::Free => self.begin_turn(who, now),
            role => role,
        }
    }

    fn begin_turn(&mut self, who: usize, now: u64) -> Role {
        self.holder = Some(Turn { who, since: now });
        self.heir = None;
        self.changes += 1;
        Role::Holder { others_wait: false }
    }

    /// `who` must wait for its turn: it is next, unless another process waited first.
    pub fn wait(&mut self, who: usize) {
        self.heir.get_or_insert(who);
    }

    /// `who` no longer competes for memory (it exited, or waits for another process) at tick
    /// `now`: if it held the token, the token passes to the heir, if any.
    pub fn release(&mut self, who: usize, now: u64) {
        if self.heir == Some(who) {
            self.heir = None;
        }
        if self.holder.is_some_and(|turn| turn.who == who) {
            self.holder = self.heir.take().map(|heir| Turn { who: heir, since: now });
            self.changes += 1;
        }
    }

    /// A number that changes whenever a turn begins or ends (a turn may pass from one
    /// process to the next within one tick, so its end tick does not tell).
    pub fn changes(&self) -> u64 {
        self.changes
    }

    /// The tick at which the holder's turn may pass to a waiting process, if anyone holds it.
    pub fn turn_ends(&self) -> Option<u64> {
        self.holder.map(|turn| turn.since + MAX_HOLD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: usize = 0x1000;
    const B: usize = 0x2000;
    const C: usize = 0x3000;

    #[test]
    fn the_first_process_short_of_frames_takes_the_token_and_keeps_it() {
        let mut token = Token::new();
        assert_eq!(token.role(A, 9), Role::Free, "nobody is short of frames yet");
        assert_eq!(token.take(A, 10), Role::Holder { others_wait: false });
        assert_eq!(token.take(B, 11), Role::Waiter);
        assert_eq!(token.role(B, 11), Role::Waiter, "even for a free frame");
        assert_eq!(token.role(A, 12), Role::Holder { others_wait: false }, "the holder keeps it");
        assert_eq!(token.take(B, 10 + MAX_HOLD - 1), Role::Waiter);
    }

    #[test]
    fn a_token_given_up_with_nobody_waiting_is_free() {
        let mut token = Token::new();
        token.take(A, 10);
        let before = token.changes();
        token.release(B, 11);
        assert_eq!(token.changes(), before, "B did not hold it: nothing changes");
        token.release(A, 12);
        assert_ne!(token.changes(), before);
        assert_eq!(token.turn_ends(), None);
        assert_eq!(token.role(B, 13), Role::Free);
        assert_eq!(token.take(B, 13), Role::Holder { others_wait: false });
        assert_eq!(token.role(A, 14), Role::Waiter);
    }

    #[test]
    fn a_token_given_up_goes_to_the_first_process_that_waited() {
        let mut token = Token::new();
        token.take(A, 10);
        token.wait(B);
        token.wait(C);
        assert_eq!(token.role(A, 11), Role::Holder { others_wait: true }, "A looks for B's and C's pages first");
        token.release(A, 20);
        assert_eq!(token.turn_ends(), Some(20 + MAX_HOLD), "B's turn starts when A's ends");
        assert_eq!(token.role(C, 21), Role::Waiter, "C waits on: it is B's turn");
        assert_eq!(token.role(B, 21), Role::Holder { others_wait: false });
        token.wait(C);
        token.release(B, 30);
        assert_eq!(token.role(C, 31), Role::Holder { others_wait: false }, "C was the first to wait during B's turn");
    }

    #[test]
    fn a_turn_that_passes_on_within_its_first_tick_is_still_a_change() {
        let mut token = Token::new();
        token.take(A, 10);
        token.wait(B);
        let before = token.changes();
        token.release(A, 10);
        assert_eq!(token.turn_ends(), Some(10 + MAX_HOLD), "B's turn ends when A's would have");
        assert_ne!(token.changes(), before, "but it is B's turn now");
    }

    #[test]
    fn an_heir_that_exits_before_its_turn_is_forgotten() {
        let mut token = Token::new();
        token.take(A, 10);
        token.wait(B);
        token.release(B, 12);
        token.release(A, 13);
        assert_eq!(token.turn_ends(), None, "nobody is waiting");
    }

    #[test]
    fn a_turn_passes_to_a_waiter_after_max_hold_ticks() {
        let mut token = Token::new();
        token.take(A, 100);
        assert_eq!(token.turn_ends(), Some(100 + MAX_HOLD));
        assert_eq!(token.role(B, 100 + MAX_HOLD), Role::Holder { others_wait: false }, "A's turn is over");
        assert_eq!(token.turn_ends(), Some(100 + 2 * MAX_HOLD), "B's turn starts now");
        assert_eq!(token.role(A, 100 + MAX_HOLD + 1), Role::Waiter);
    }
}
