//! A model of the protocol by which faults, evictions and releases share pages and frames
//! (`kernel/src/vm`: `fault.rs`, `frame.rs`, `release.rs`), for the model checker.
//!
//! Shared with the kernel: the frame life cycle, `rintos_vmcore::frame_state`. Every frame
//! transition here goes through `LifeCycle::transition`, which checks it with
//! `FramePhase::next`, as the kernel's `FrameState::transition` does. Modelled: the steps of the three paths, transcribed to threads that block (a
//! fault future that awaits an event is a thread that waits for it), with the kernel's locks
//! in the kernel's order (a page's lock before its frame's; the clock hand's before a frame's;
//! an eviction holds only the frame's lock while it claims and unmaps, and takes the page's
//! lock alone after the write-out). Left out: shared frames, pins, the clock's second chance
//! and its protection of recent fills, swap slots (a page's swap copy is its value), mapped
//! files, I/O errors, and TLB shoot-downs (a page-table entry is a lock, so an access and an
//! unmap never overlap). Where the kernel, finding every frame busy, sleeps a tick and tries
//! again, the model waits for a busy frame's event.
//!
//! A page's content is a number that each write increments, so a lost write-back shows as a
//! wrong number.

use std::sync::Arc;

use loom::sync::{Condvar, Mutex};
use rintos_vmcore::frame_state::{FrameEvent, FramePhase, LifeCycle};

pub type PageId = usize;
pub type FrameId = usize;

/// Bugs that can be planted in the model, each of which the model checker must find.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bug {
    /// The eviction ignores the dirty bit the unmap returned, and drops a written page.
    DirtyBitDropped,
    /// A fault fills an absent page without marking it `Loading`: a second fault on it fills
    /// another frame.
    FillWithoutLoading,
    /// A release takes a `Loading` page for an absent one instead of waiting for the fill.
    ReleaseDuringFill,
    /// An eviction never fires its event: whoever waits for the frame waits forever.
    EvictionNeverFires,
}

/// A one-shot event (`task::Event`): the end of a fill or an eviction.
struct Event {
    fired: Mutex<bool>,
    waiters: Condvar,
}

impl Event {
    fn new() -> Arc<Event> {
        Arc::new(Event { fired: Mutex::new(false), waiters: Condvar::new() })
    }

    fn fire(&self) {
        *self.fired.lock().unwrap() = true;
        self.waiters.notify_all();
    }

    fn wait(&self) {
        let mut fired = self.fired.lock().unwrap();
        while !*fired {
            fired = self.waiters.wait(fired).unwrap();
        }
    }
}

impl std::fmt::Debug for Event {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Event")
    }
}

/// How a page starts.
#[derive(Clone, Copy, Debug)]
pub enum Start {
    /// Never touched: a fault fills it with zeros.
    Zero,
    /// Swapped out with this value.
    Swapped(u32),
    /// In a frame with this value, written since it came in (dirty).
    Resident(u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backing {
    Zero,
    Swap(u32),
    /// Only in its frame: read back from swap, whose copy is gone.
    Memory,
}

enum Residence {
    Absent,
    Loading(Arc<Event>),
    Present(FrameId),
}

struct PageState {
    backing: Backing,
    residence: Residence,
    /// Taken away by a release (exit, munmap): a later access would kill the process.
    released: bool,
}

/// A page-table entry: the frame a page is mapped to, and its dirty bit.
struct Mapping {
    frame: FrameId,
    dirty: bool,
}

struct Page {
    state: Mutex<PageState>,
    entry: Mutex<Option<Mapping>>,
}

#[derive(Debug)]
enum FrameState {
    Free,
    Filling(Arc<Event>),
    InUse { user: PageId, only_copy: bool },
    Evicting(Arc<Event>),
}

impl LifeCycle for FrameState {
    fn phase(&self) -> FramePhase {
        match self {
            FrameState::Free => FramePhase::Free,
            FrameState::Filling(_) => FramePhase::Filling,
            FrameState::InUse { .. } => FramePhase::InUse,
            FrameState::Evicting(_) => FramePhase::Evicting,
        }
    }
}

impl FrameState {
    fn busy(&self) -> Option<Arc<Event>> {
        match self {
            FrameState::Filling(event) | FrameState::Evicting(event) => Some(event.clone()),
            _ => None,
        }
    }
}

struct Frame {
    state: Mutex<FrameState>,
    /// The page's bytes, as far as the model cares.
    content: Mutex<u32>,
}

/// A frame the clock claimed, unmapped from its page.
struct Victim {
    frame: FrameId,
    user: PageId,
    event: Arc<Event>,
    /// Written since it was filled, or the page's only copy.
    dirty: bool,
}

/// What `begin` decided under the page's lock (`fault::Step`).
enum Step {
    Done,
    Wait(Arc<Event>),
    Fill { event: Arc<Event>, backing: Backing },
}

/// The pages of one process, the frames of the user pool, and the pool's free list.
pub struct Memory {
    pages: Vec<Page>,
    frames: Vec<Frame>,
    pool: Mutex<Vec<FrameId>>,
    /// The clock hand: the frame the clock looks at next.
    hand: Mutex<FrameId>,
    bug: Option<Bug>,
}

impl Memory {
    /// `frames` frames and a page for each of `pages`; resident pages take the first frames.
    pub fn new(frames: usize, pages: &[Start], bug: Option<Bug>) -> Memory {
        let mut frame_states: Vec<(FrameState, u32)> = (0..frames).map(|_| (FrameState::Free, 0)).collect();
        let mut next_frame = 0;
        let pages = pages
            .iter()
            .enumerate()
            .map(|(id, start)| {
                let (backing, residence, entry) = match *start {
                    Start::Zero => (Backing::Zero, Residence::Absent, None),
                    Start::Swapped(value) => (Backing::Swap(value), Residence::Absent, None),
                    Start::Resident(value) => {
                        let frame = next_frame;
                        next_frame += 1;
                        frame_states[frame] = (FrameState::InUse { user: id, only_copy: false }, value);
                        (Backing::Zero, Residence::Present(frame), Some(Mapping { frame, dirty: true }))
                    }
                };
                let state = PageState { backing, residence, released: false };
                Page { state: Mutex::new(state), entry: Mutex::new(entry) }
            })
            .collect();
        let pool = (next_frame..frames).collect();
        let frames = frame_states
            .into_iter()
            .map(|(state, content)| Frame { state: Mutex::new(state), content: Mutex::new(content) })
            .collect();
        Memory { pages, frames, pool: Mutex::new(pool), hand: Mutex::new(0), bug }
    }

    fn planted(&self, bug: Bug) -> bool {
        self.bug == Some(bug)
    }

    /// The process writes page `id`: increments its value, faulting it in as needed. Returns
    /// the value written, or `None` if the page was released (the process would be killed).
    pub fn write(&self, id: PageId) -> Option<u32> {
        loop {
            if let Some(mapping) = self.pages[id].entry.lock().unwrap().as_mut() {
                let mut content = self.frames[mapping.frame].content.lock().unwrap();
                *content += 1;
                mapping.dirty = true;
                return Some(*content);
            }
            if !self.fault(id) {
                return None;
            }
        }
    }

    /// The process reads page `id`, faulting it in as needed (`None`: released).
    pub fn read(&self, id: PageId) -> Option<u32> {
        loop {
            if let Some(mapping) = self.pages[id].entry.lock().unwrap().as_ref() {
                return Some(*self.frames[mapping.frame].content.lock().unwrap());
            }
            if !self.fault(id) {
                return None;
            }
        }
    }

    /// `fault::fault_in`: brings page `id` in and maps it. False: the page was released.
    fn fault(&self, id: PageId) -> bool {
        loop {
            match self.begin(id) {
                None => return false,
                Some(Step::Done) => return true,
                Some(Step::Wait(event)) => event.wait(),
                Some(Step::Fill { event, backing }) => {
                    self.fill(id, &event, backing);
                    event.fire();
                    return true;
                }
            }
        }
    }

    /// `fault::begin`: decides under the page's lock; starts a fill by marking it `Loading`.
    fn begin(&self, id: PageId) -> Option<Step> {
        let mut state = self.pages[id].state.lock().unwrap();
        if state.released {
            return None;
        }
        Some(match &state.residence {
            Residence::Present(frame) => match self.frames[*frame].state.lock().unwrap().busy() {
                Some(event) => Step::Wait(event),
                None => Step::Done,
            },
            Residence::Loading(event) => Step::Wait(event.clone()),
            Residence::Absent => {
                let event = Event::new();
                if !self.planted(Bug::FillWithoutLoading) {
                    state.residence = Residence::Loading(event.clone());
                }
                Step::Fill { event, backing: state.backing }
            }
        })
    }

    /// `fault::fill`: gets a frame, fills it from `backing`, maps it.
    fn fill(&self, id: PageId, event: &Arc<Event>, backing: Backing) {
        let frame = self.obtain(event);
        let (value, only_copy) = match backing {
            Backing::Zero => (0, false),
            Backing::Swap(value) => (value, true),
            Backing::Memory => unreachable!("a page that lives only in memory is never absent"),
        };
        *self.frames[frame].content.lock().unwrap() = value;
        let mut state = self.pages[id].state.lock().unwrap();
        if only_copy {
            state.backing = Backing::Memory;
        }
        *self.pages[id].entry.lock().unwrap() = Some(Mapping { frame, dirty: false });
        self.frames[frame].state.lock().unwrap().transition(FrameEvent::Filled, FrameState::InUse { user: id, only_copy });
        state.residence = Residence::Present(frame);
    }

    /// `frame::obtain`: a free frame from the pool, or the clock's victim, emptied; the
    /// frame comes back `Filling(owner)`.
    fn obtain(&self, owner: &Arc<Event>) -> FrameId {
        loop {
            let free = self.pool.lock().unwrap().pop();
            if let Some(frame) = free {
                self.frames[frame].state.lock().unwrap().transition(FrameEvent::Allocate, FrameState::Filling(owner.clone()));
                return frame;
            }
            match self.claim() {
                Ok(victim) => return self.evict(victim, owner),
                Err(busy) => busy.wait(),
            }
        }
    }

    /// The clock (`clock::sweep`, `frame::inspect`): from the hand on, claims the first frame
    /// in use, unmapping it, and moves the hand past it; or names the event of a busy frame to
    /// wait for.
    fn claim(&self) -> Result<Victim, Arc<Event>> {
        let mut hand = self.hand.lock().unwrap();
        let mut busy = None;
        for id in (*hand..self.frames.len()).chain(0..*hand) {
            let mut state = self.frames[id].state.lock().unwrap();
            let FrameState::InUse { user, only_copy } = *state else {
                busy = busy.or(state.busy());
                continue;
            };
            let mapping = self.pages[user].entry.lock().unwrap().take();
            let dirty = only_copy || mapping.is_some_and(|mapping| mapping.dirty);
            let event = Event::new();
            state.transition(FrameEvent::Claim, FrameState::Evicting(event.clone()));
            *hand = (id + 1) % self.frames.len();
            return Ok(Victim { frame: id, user, event, dirty });
        }
        Err(busy.expect("no frame can be freed: none is in use or busy"))
    }

    /// `frame::evict`: writes the victim's page out if it is dirty, makes it absent, and
    /// hands the frame to `owner`.
    fn evict(&self, victim: Victim, owner: &Arc<Event>) -> FrameId {
        let Victim { frame, user, event, dirty } = victim;
        let written = (dirty && !self.planted(Bug::DirtyBitDropped)).then(|| *self.frames[frame].content.lock().unwrap());
        {
            let mut state = self.pages[user].state.lock().unwrap();
            if let Some(value) = written {
                state.backing = Backing::Swap(value);
            }
            state.residence = Residence::Absent;
        }
        self.frames[frame].state.lock().unwrap().transition(FrameEvent::Evicted, FrameState::Filling(owner.clone()));
        if !self.planted(Bug::EvictionNeverFires) {
            event.fire();
        }
        frame
    }

    /// `release::release` (exit, munmap): takes page `id` away, waiting for a fill or an
    /// eviction in flight, and frees its frame or its swap copy.
    pub fn release(&self, id: PageId) {
        loop {
            let mut state = self.pages[id].state.lock().unwrap();
            let frame = match &state.residence {
                Residence::Loading(event) if !self.planted(Bug::ReleaseDuringFill) => {
                    let event = event.clone();
                    drop(state);
                    event.wait();
                    continue;
                }
                Residence::Absent | Residence::Loading(_) => {
                    state.backing = Backing::Zero;
                    state.released = true;
                    return;
                }
                Residence::Present(frame) => *frame,
            };
            let mut frame_state = self.frames[frame].state.lock().unwrap();
            if let Some(event) = frame_state.busy() {
                drop(frame_state);
                drop(state);
                event.wait();
                continue;
            }
            *self.pages[id].entry.lock().unwrap() = None;
            state.residence = Residence::Absent;
            state.backing = Backing::Zero;
            state.released = true;
            frame_state.transition(FrameEvent::Release, FrameState::Free);
            drop(frame_state);
            self.pool.lock().unwrap().push(frame);
            return;
        }
    }

    /// Once every thread is done: each page holds `expected` (`None`: released), in its frame
    /// or in swap; each frame is free (in the pool once) or holds exactly the page that says
    /// it is there; nothing is still loading or being evicted.
    pub fn assert_consistent(&self, expected: &[Option<u32>]) {
        let pool = self.pool.lock().unwrap();
        for (id, (page, expected)) in self.pages.iter().zip(expected).enumerate() {
            let state = page.state.lock().unwrap();
            let Some(expected) = *expected else {
                let gone = state.released && matches!(state.residence, Residence::Absent) && state.backing == Backing::Zero;
                assert!(gone, "released page {id} still holds a frame or a swap copy");
                continue;
            };
            assert!(!state.released, "page {id} was released");
            let value = match (&state.residence, state.backing) {
                (Residence::Loading(_), _) => panic!("page {id} is still loading"),
                (Residence::Present(frame), _) => {
                    let frame_state = self.frames[*frame].state.lock().unwrap();
                    let holds_it = matches!(*frame_state, FrameState::InUse { user, .. } if user == id);
                    assert!(holds_it, "frame used twice: page {id} is in frame {frame}, which is {frame_state:?}");
                    *self.frames[*frame].content.lock().unwrap()
                }
                (Residence::Absent, Backing::Swap(value)) => value,
                (Residence::Absent, Backing::Zero) => 0,
                (Residence::Absent, Backing::Memory) => panic!("page {id} absent, and its only copy was in memory"),
            };
            assert_eq!(value, expected, "page {id} lost its content");
        }
        for (id, frame) in self.frames.iter().enumerate() {
            match *frame.state.lock().unwrap() {
                FrameState::Free => assert_eq!(pool.iter().filter(|&&free| free == id).count(), 1, "free frame {id} not in the pool once"),
                FrameState::InUse { user, .. } => {
                    let state = self.pages[user].state.lock().unwrap();
                    let in_it = matches!(state.residence, Residence::Present(frame) if frame == id);
                    assert!(in_it, "frame used twice: frame {id} holds page {user}, which is not in it");
                }
                ref busy => panic!("frame {id} left {busy:?}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use loom::thread;
    // Not loom's `Arc`: see `crate::Parker`.
    use std::sync::Arc;

    use super::{Bug, Memory, Start};
    use crate::{assert_found, check};

    /// Runs `first` and `second` on two threads over `memory`, then checks it.
    fn run_two(
        memory: Memory,
        first: impl FnOnce(&Memory) + Send + 'static,
        second: impl FnOnce(&Memory) + Send + 'static,
        expected: &[Option<u32>],
    ) {
        let memory = Arc::new(memory);
        let other = {
            let memory = memory.clone();
            thread::spawn(move || second(&memory))
        };
        first(&memory);
        other.join().unwrap();
        memory.assert_consistent(expected);
    }

    /// Two frames, holding pages 0 and 1 (written: values 1 and 5); page 2 was never touched.
    /// One thread writes page 2, which evicts page 0; the other writes page 0 meanwhile, which
    /// waits for that eviction, faults page 0 back in from swap and evicts page 1 to do so.
    fn a_fault_against_an_eviction(bug: Option<Bug>) {
        let memory = Memory::new(2, &[Start::Resident(1), Start::Resident(5), Start::Zero], bug);
        run_two(
            memory,
            |memory| assert_eq!(memory.write(2), Some(1), "page 2 lost its content"),
            |memory| assert_eq!(memory.write(0), Some(2), "page 0 lost its content"),
            &[Some(2), Some(5), Some(1)],
        );
    }

    /// Two frames, one page never touched, written by two threads at once: both faults
    /// want it, one fills it.
    fn two_faults_on_one_page(bug: Option<Bug>) {
        let memory = Memory::new(2, &[Start::Zero], bug);
        run_two(
            memory,
            |memory| {
                memory.write(0);
            },
            |memory| {
                memory.write(0);
            },
            &[Some(2)],
        );
    }

    /// One frame, one page in swap. The process reads it (a swap-in) while it exits.
    fn an_exit_during_a_fill(bug: Option<Bug>) {
        let memory = Memory::new(1, &[Start::Swapped(7)], bug);
        run_two(
            memory,
            |memory| assert!(matches!(memory.read(0), Some(7) | None)),
            |memory| memory.release(0),
            &[None],
        );
    }

    #[test]
    fn a_fault_waits_for_the_eviction_of_its_page() {
        check(|| a_fault_against_an_eviction(None));
    }

    #[test]
    fn two_faults_on_a_page_fill_it_once() {
        check(|| two_faults_on_one_page(None));
    }

    #[test]
    fn an_exit_waits_for_a_fill_in_flight() {
        check(|| an_exit_during_a_fill(None));
    }

    #[test]
    fn finds_a_dropped_dirty_bit() {
        assert_found("DirtyBitDropped", "lost its content", || {
            a_fault_against_an_eviction(Some(Bug::DirtyBitDropped))
        });
    }

    #[test]
    fn finds_an_eviction_that_never_fires() {
        assert_found("EvictionNeverFires", "deadlock", || {
            a_fault_against_an_eviction(Some(Bug::EvictionNeverFires))
        });
    }

    #[test]
    fn finds_a_fill_without_loading() {
        assert_found("FillWithoutLoading", "lost its content", || {
            two_faults_on_one_page(Some(Bug::FillWithoutLoading))
        });
    }

    #[test]
    fn finds_a_release_during_a_fill() {
        assert_found("ReleaseDuringFill", "released page 0 still holds", || an_exit_during_a_fill(Some(Bug::ReleaseDuringFill)));
    }
}
