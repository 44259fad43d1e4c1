//! The frame table: one entry per frame of the user pool, each with its own lock and state
//! (free, filling, in use, evicting; in use may be pinned), plus the clock hand that picks
//! eviction victims under a lock of its own.
//!
//! Every lock here is a spinlock that keeps interrupts off, and no lock is held across I/O:
//! a frame being filled or emptied is marked busy instead, and whoever needs it waits for
//! its event. Several CPUs may fault and evict at once; each claim is a transition of one
//! frame's state under that frame's lock, so a frame is claimed once.

use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;

use conquer_once::spin::OnceCell;
use crossbeam_queue::ArrayQueue;
use rintos_vmcore::clock::{self, Facts, Look};
use rintos_vmcore::frame_state::{FrameEvent, FramePhase, LifeCycle};
use rintos_vmcore::token::Role;

use super::loadcontrol;
use super::page::{AddressSpace, Backing, Kind, Page, Residence};
use super::share::{self, ShareKey};
use super::swap;
use crate::arch::locked_u64::LockedU64;
use crate::arch::tlb::Shootdown;
use crate::memory::{self, PAGE_SIZE, phys_to_virt};
use crate::sync::{SpinGuard, SpinLock};
use crate::task::Event;

/// Index of a frame in the table (0 = the first page of the user pool).
pub type FrameId = usize;

/// A page mapped to a frame, and the address space whose page table maps it.
pub struct User {
    pub space: Weak<AddressSpace>,
    pub page: Arc<Page>,
}

pub enum FrameState {
    Free,
    /// Owned by one fault (or one write-back); `event` fires when it is done.
    Filling(Arc<Event>),
    InUse {
        users: Vec<User>,
        /// The kernel is copying to or from it: it must stay.
        pins: u32,
        share: Option<ShareKey>,
        /// Where else the content is, as long as the page is not written.
        copy: CleanCopy,
        /// The pageout task is writing a copy of it to swap (see `pageout`): the clock
        /// leaves it alone until that write is done.
        cleaning: bool,
        /// Read ahead of its process's faults (`readahead`) and not used yet: nothing maps
        /// it; the first fault on it maps it (a hit). Evicted or freed before that, it was
        /// read for nothing.
        prefetched: bool,
    },
    /// Being emptied by an eviction; `event` fires when its old pages are gone.
    Evicting(Arc<Event>),
}

/// Where a frame's content exists besides the frame, for as long as its page stays clean:
/// whether evicting a clean page must write it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CleanCopy {
    /// The page's backing re-creates it (zeros, its file).
    Backing,
    /// The swap slot it was read from (the swap cache): the frame owns the slot, frees it
    /// when the page is found dirty, and hands it back to the page when it is evicted clean.
    Swap(swap::SwapSlot),
    /// Nowhere: evicting it writes it out.
    None,
}

/// Every change of a frame's state is a `LifeCycle::transition`, checked against the life
/// cycle that the host's model of the fault path checks too.
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
    /// The event to wait for if the frame is busy.
    pub fn busy(&self) -> Option<Arc<Event>> {
        match self {
            FrameState::Filling(event) | FrameState::Evicting(event) => Some(event.clone()),
            _ => None,
        }
    }
}

struct FrameTable {
    first_page: usize,
    frames: Vec<SpinLock<FrameState>>,
    /// For each frame, the number of the fill that last put a page in it (see
    /// `clock::RECENT_FILLS`).
    filled_at: Vec<LockedU64>,
}

/// Dirty frames the clock hand passed over, looking for a clean victim: the next victims
/// but for their cost, which the pageout task writes out ahead of need. Made only when that
/// task runs (the clock does not collect them otherwise). Full, it takes no more (the task is
/// behind, and the clock takes them as they are).
static PASSED_DIRTY: OnceCell<ArrayQueue<FrameId>> = OnceCell::uninit();

/// Dirty frames the clock passed and the pageout task has not looked at yet, at most.
const PASSED_DIRTY_MAX: usize = 32;

/// Fills of frames so far (see `clock::RECENT_FILLS`).
static FILLS: LockedU64 = LockedU64::new(0);

static TABLE: OnceCell<FrameTable> = OnceCell::uninit();
static HAND: SpinLock<usize> = SpinLock::new("clock hand", 0);

/// Sizes the table to the user pool.
pub fn init() {
    let (first_page, count) = memory::user_pool_range();
    TABLE.init_once(|| FrameTable {
        first_page,
        frames: (0..count).map(|_| SpinLock::new("frame", FrameState::Free)).collect(),
        filled_at: (0..count).map(|_| LockedU64::new(0)).collect(),
    });
}

fn table() -> &'static FrameTable {
    TABLE.get().expect("vm::init not called")
}

/// The lock of frame `id`.
pub fn frame(id: FrameId) -> &'static SpinLock<FrameState> {
    &table().frames[id]
}

/// Physical address of frame `id`.
pub fn physical(id: FrameId) -> usize {
    (table().first_page + id) * PAGE_SIZE
}

/// The frame's bytes, through the kernel's mapping of all physical memory. Only the VM
/// itself uses this, to fill and write back frames nobody else can touch at the time.
///
/// # Safety
/// The caller must own the frame (it is `Filling` or `Evicting` on the caller's behalf).
pub(super) unsafe fn bytes(id: FrameId) -> &'static mut [u8] {
    // SAFETY: the frame is a page of RAM mapped at PHYS_BASE; the caller owns it.
    unsafe { core::slice::from_raw_parts_mut(phys_to_virt(physical(id)) as *mut u8, PAGE_SIZE) }
}

/// Frames in use (not free): the statistics' "frames in use".
pub fn frames_in_use() -> usize {
    table().frames.iter().filter(|frame| !matches!(*frame.lock(), FrameState::Free)).count()
}

/// Why no frame could be found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoFrame {
    /// Every frame is pinned or busy, or holds a page that would need swap and swap is full.
    Exhausted,
}

/// What an eviction does with the content of its frame.
enum Plan {
    /// Clean and re-creatable (zero page, unmodified file page): just forget it.
    Drop,
    /// Clean, and this swap slot still holds it (a swap-cache hit): forget the frame, and
    /// the page's backing is the slot again.
    Keep(swap::SwapSlot),
    /// Dirty (or only in memory): write it to this slot, reserved at claim time.
    Swap(swap::SwapSlot),
    /// A dirty page of a mapped file: write its bytes back to the file.
    File,
}

impl Plan {
    fn writes(&self) -> bool {
        matches!(self, Plan::Swap(_) | Plan::File)
    }
}

struct Victim {
    id: FrameId,
    users: Vec<User>,
    share: Option<ShareKey>,
    plan: Plan,
    event: Arc<Event>,
    /// The other CPUs that may still cache a translation of the frame.
    shootdown: Shootdown,
    /// Whether the unmaps found it dirty (final once `shootdown` has run), or the frame is
    /// the page's only copy.
    dirty: bool,
}

/// Records that frame `id` now holds the page a fault just brought in.
pub fn note_filled(id: FrameId) {
    let fill = FILLS.fetch_add(1) + 1;
    table().filled_at[id].store(fill);
}

/// Records that frame `id` now holds a page read ahead: its grace
/// (`clock::READ_AHEAD_GRACE`) counts from now, but it is not a fill by a fault, so it does
/// not shorten the protection of the pages faults just brought in.
pub fn note_read_ahead(id: FrameId) {
    table().filled_at[id].store(FILLS.load());
}

/// How many frames past the first dirty candidate the hand looks for a clean one.
const CLEAN_SEARCH: usize = 32;

fn fills_since_filled(id: FrameId) -> u64 {
    FILLS.load() - table().filled_at[id].load()
}

/// Calls `each` with every live address space that maps the frame, and the page's address.
pub(super) fn for_each_mapping(users: &[User], mut each: impl FnMut(&AddressSpace, usize)) {
    for user in users {
        if let Some(space) = user.space.upgrade() {
            each(&space, user.page.upage);
        }
    }
}

/// Whether any mapping of the frame was written since it was filled or last cleaned.
fn is_dirty(users: &[User]) -> bool {
    let mut dirty = false;
    for_each_mapping(users, |space, upage| dirty |= space.directory.lookup(upage).is_some_and(|mapping| mapping.dirty));
    dirty
}

/// Frees the swap slot of a frame whose page was written since it was read back: the slot's
/// content is stale. Returns whether evicting the frame costs a write.
pub(super) fn forget_stale_copy(users: &[User], copy: &mut CleanCopy) -> bool {
    let dirty = is_dirty(users);
    if dirty && let CleanCopy::Swap(stale) = *copy {
        swap::free(stale);
        *copy = CleanCopy::None;
    }
    dirty || *copy == CleanCopy::None
}

/// Looks at frame `id` for the clock hand: clears its accessed bits (every alias gets the
/// second chance if any of them was used) and says whether taking it costs a write. Frames
/// whose pages all belong to the address space whose `token_name` is `spared` are left alone.
fn look(id: FrameId, spared: Option<usize>) -> Look {
    let mut state = frame(id).lock();
    let FrameState::InUse { users, pins, copy, cleaning, prefetched, .. } = &mut *state else {
        let facts = Facts { in_use: false, pinned: false, fills_since_filled: 0, read_ahead: false, spared: false };
        return clock::look(facts, || false, || false);
    };
    let facts = Facts {
        in_use: true,
        pinned: *pins > 0 || *cleaning,
        fills_since_filled: fills_since_filled(id),
        read_ahead: *prefetched,
        spared: spared.is_some_and(|space| users.iter().all(|user| user.space.as_ptr() as usize == space)),
    };
    let take_referenced = || {
        let mut referenced = false;
        for_each_mapping(users, |space, upage| referenced |= space.directory.take_accessed(upage));
        referenced
    };
    clock::look(facts, take_referenced, || forget_stale_copy(users, copy))
}

/// Whether a CPU other than this one runs an address space that may write the frame: its
/// page may turn dirty until the shootdown.
fn writable_elsewhere(users: &[User]) -> bool {
    let mut writable = false;
    for_each_mapping(users, |space, upage| {
        writable |= space.directory.runs_elsewhere() && space.directory.lookup(upage).is_some_and(|mapping| mapping.writable);
    });
    writable
}

/// Whether the frame's one user is `page`.
pub(super) fn holds_alone(users: &[User], page: &Arc<Page>) -> bool {
    matches!(users, [user] if Arc::ptr_eq(&user.page, page))
}

/// Claims frame `id` for eviction if it is still in use, unpinned and not being cleaned (and
/// holds `expected` alone, if given): plans what to do with its content, unmaps it everywhere and marks it
/// `Evicting` with `event`. `None` if it cannot be taken now (it changed, it may need swap
/// and swap is full, or the plan writes and `clean_only` forbids that). It may run under the
/// clock hand's lock, and allocates nothing under the frame's: the event is made before.
fn claim(id: FrameId, expected: Option<&Arc<Page>>, event: &Arc<Event>, clean_only: bool) -> Option<Victim> {
    let mut state = frame(id).lock();
    let FrameState::InUse { users, pins, copy, cleaning, .. } = &mut *state else { return None };
    let holds_expected = expected.is_none_or(|page| holds_alone(users, page));
    if *pins > 0 || *cleaning || !holds_expected {
        return None;
    }
    let costs_write = forget_stale_copy(users, copy);
    // The page's kind never changes, and where its clean copy is is recorded in the frame:
    // the plan needs no page lock (the lock order takes page locks first). A clean page that
    // another CPU may still write is planned as if dirty (a slot reserved, its file named);
    // `evict` settles the plan once the shootdown has made the dirty bits final.
    let kind = users.first().expect("a frame in use has a user").page.kind;
    let plan = match (kind, costs_write || writable_elsewhere(users)) {
        (Kind::Mapped, true) => Plan::File,
        (_, false) => match *copy {
            CleanCopy::Swap(slot) => Plan::Keep(slot),
            _ => Plan::Drop,
        },
        (Kind::Anonymous, true) => match *copy {
            // Clean now, in its slot: written again to that slot if it turns dirty.
            CleanCopy::Swap(slot) if !costs_write => Plan::Keep(slot),
            // A write: no slot is reserved for a caller that will not make it.
            _ if clean_only => return None,
            // Swap is full: this frame cannot be emptied now.
            _ => Plan::Swap(swap::allocate()?),
        },
    };
    if clean_only && plan.writes() {
        return None;
    }
    let only_copy = *copy == CleanCopy::None;
    let FrameState::InUse { users, share, prefetched, .. } =
        state.transition(FrameEvent::Claim, FrameState::Evicting(event.clone()))
    else {
        unreachable!()
    };
    let mut shootdown = Shootdown::new();
    let mut dirty = only_copy;
    if prefetched {
        // Nothing maps it: there is nothing to unmap, and no CPU to tell.
        super::stats::count_read_ahead_wasted();
    } else {
        for_each_mapping(&users, |space, upage| {
            dirty |= space.directory.unmap(upage, &mut shootdown).is_some_and(|mapping| mapping.dirty);
        });
    }
    Some(Victim { id, users, share, plan, event: event.clone(), shootdown, dirty })
}

/// Empties a claimed frame: makes every CPU forget its old translations, writes its content
/// where the plan says (awaiting the disk), records the new location in each page, and
/// hands the frame to the caller as `Filling`. Returns `None` if the content could be
/// written nowhere: the frame then stays with its pages (see [`keep`]) and the caller must
/// look for another.
async fn evict(victim: Victim, new_owner: Arc<Event>) -> Option<Eviction> {
    let Victim { id, users, share, plan, event, shootdown, dirty } = victim;
    // From here on no CPU writes the frame: the dirty bits the unmaps returned are final.
    shootdown.run();
    let plan = match plan {
        // Planned in case another CPU wrote it meanwhile; it did not.
        Plan::Swap(slot) if !dirty => {
            swap::free(slot);
            Plan::Drop
        }
        Plan::File if !dirty => Plan::Drop,
        // Written meanwhile: the copy in its slot is stale, and the slot takes the new one.
        Plan::Keep(slot) if dirty => Plan::Swap(slot),
        Plan::Drop => {
            assert!(!dirty, "frame {id}: a page planned clean was written (no CPU could write it)");
            Plan::Drop
        }
        plan => plan,
    };
    // SAFETY: the frame is `Evicting` on our behalf; nobody else reads or writes it.
    let content = unsafe { bytes(id) };
    let _io = plan.writes().then(super::stats::FaultIo::begin);
    let slot = match &plan {
        Plan::Drop => None,
        Plan::Keep(slot) => {
            super::stats::count_swap_cache_hit();
            Some(*slot)
        }
        Plan::Swap(slot) => match swap::write(*slot, content).await {
            Some(slot) => Some(slot),
            None => {
                // Swap is full or failing: the page stays; the clock tries it again once a
                // slot is free.
                keep(id, users, share, &event, 0);
                return None;
            }
        },
        Plan::File => {
            let page = &users.first().expect("a claimed frame has a user").page;
            let backing = page.state.lock().backing.clone();
            if let Err(error) = super::mmap::write_back(&backing, content).await {
                crate::println!("mmap: cannot write a page back to its file ({error}); it stays in memory");
                // Pinned until its mapping goes: the file keeps refusing it, and the clock
                // must not try (and report) again and again.
                keep(id, users, share, &event, 1);
                return None;
            }
            None
        }
    };
    if let Some(key) = share {
        share::forget(key, id);
    }
    for user in &users {
        let mut state = user.page.state.lock();
        if let Some(slot) = slot {
            state.backing = Backing::Swap(slot);
        }
        state.residence = Residence::Absent;
    }
    frame(id).lock().transition(FrameEvent::Evicted, FrameState::Filling(new_owner));
    event.fire();
    Some(if plan.writes() { Eviction::Dirty } else { Eviction::Clean })
}

/// Gives a claimed frame back to its pages, which never stopped being `Present` in it, and
/// maps it again everywhere: its content could not be written out. The frame now holds the
/// only copy of it (the dirty bits went with the unmapping).
fn keep(id: FrameId, users: Vec<User>, share: Option<ShareKey>, event: &Arc<Event>, pins: u32) {
    for user in &users {
        if let Some(space) = user.space.upgrade() {
            space
                .directory
                .map(user.page.upage, physical(id), user.page.writable)
                .expect("the page table exists: the page was mapped until the claim");
        }
    }
    let mut state = frame(id).lock();
    state.transition(FrameEvent::Evicted, FrameState::Filling(event.clone()));
    state.transition(FrameEvent::Filled, FrameState::InUse { users, pins, share, copy: CleanCopy::None, cleaning: false, prefetched: false });
    drop(state);
    event.fire();
}

/// How a frame was obtained: from the pool, or by evicting a clean or a dirty page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eviction {
    None,
    Clean,
    Dirty,
}

/// A free frame from the user pool, made `Filling(owner)`.
fn allocate(owner: &Arc<Event>) -> Option<FrameId> {
    let phys = memory::allocate_user_frame()?;
    super::stats::note_frame(true);
    let id = phys / PAGE_SIZE - table().first_page;
    frame(id).lock().transition(FrameEvent::Allocate, FrameState::Filling(owner.clone()));
    Some(id)
}

/// A page that `space`'s run of read-back faults has passed and that may be taken now (see
/// `vmcore::sequence`): claimed for eviction (only if that writes nothing, if `clean_only`).
fn behind_run(space: &AddressSpace, event: &Arc<Event>, clean_only: bool) -> Option<Victim> {
    space.behind_run().find_map(|upage| {
        let page = space.lookup(upage)?;
        let Residence::Present(id) = page.state.lock().residence else { return None };
        if fills_since_filled(id) < clock::RECENT_FILLS {
            return None;
        }
        claim(id, Some(&page), event, clean_only)
    })
}

/// The clock's victim, claimed with `event` (only if that writes nothing, if `clean_only`),
/// leaving alone the frames of the address space whose `token_name` is `spared`.
fn clock_victim(event: &Arc<Event>, clean_only: bool, spared: Option<usize>) -> Option<Victim> {
    let mut victim = None;
    let claim = |id| {
        victim = claim(id, None, event, clean_only);
        victim.is_some()
    };
    let passed_dirty = |id| {
        if let Some(queue) = PASSED_DIRTY.get() {
            let _ = queue.push(id);
        }
    };
    let look = |id| look(id, spared);
    clock::sweep(&mut HAND.lock(), table().frames.len(), CLEAN_SEARCH, look, claim, passed_dirty);
    victim
}

/// Finds a frame for a fault of `space`: a free one from the user pool, or one emptied for
/// it: a page its run of read-back faults has passed, or else the clock's victim. While
/// another process holds the load-control token, only a victim that costs no write will do
/// (the free frames are the holder's), and otherwise the fault waits for its turn. The
/// frame comes back `Filling(owner)`, belonging to the caller.
pub async fn obtain(space: &AddressSpace, owner: Arc<Event>) -> Result<(FrameId, Eviction), NoFrame> {
    // A few rounds: frames that are all busy now (being filled or written) become free
    // candidates once their I/O finishes. Waiting for a turn is not a round.
    const ROUNDS: u32 = 50;
    let mut rounds = 0;
    while rounds < ROUNDS {
        // The free frames are the token holder's while somebody holds it.
        let mut role = loadcontrol::role(space.token_name());
        if role != Role::Waiter {
            if let Some(id) = allocate(&owner) {
                return Ok((id, Eviction::None));
            }
            role = loadcontrol::take(space.token_name());
        }
        // Waiting for its turn, a process may still take a frame that costs no write.
        let clean_only = role == Role::Waiter;
        // Holding the token while others wait, it takes their pages before its own.
        let spared = (role == Role::Holder { others_wait: true }).then(|| space.token_name());
        let eviction_event = Event::new();
        let victim = behind_run(space, &eviction_event, clean_only)
            .or_else(|| spared.and_then(|own| clock_victim(&eviction_event, clean_only, Some(own))))
            .or_else(|| clock_victim(&eviction_event, clean_only, None));
        if let Some(victim) = victim {
            let id = victim.id;
            if let Some(eviction) = evict(victim, owner.clone()).await {
                return Ok((id, eviction));
            }
            continue;
        }
        // With swap full, nobody's turn would help: the rounds run out for the process that
        // keeps faulting.
        if clean_only && !swap::is_full() {
            if loadcontrol::wait_for_turn(space.token_name()).await {
                super::stats::count_load_control_wait();
            }
            continue;
        }
        rounds += 1;
        if swap::is_full() {
            // Swap is full, perhaps of copies of pages that are also in memory.
            give_up_swap_cache();
        }
        crate::task::timer::sleep(1).await;
    }
    Err(NoFrame::Exhausted)
}

/// Makes the clock collect the dirty frames it passes over, for the pageout task.
pub fn collect_passed_dirty() {
    PASSED_DIRTY.init_once(|| ArrayQueue::new(PASSED_DIRTY_MAX));
}

/// The next dirty frame the clock passed over, for the pageout task.
pub fn next_passed_dirty() -> Option<FrameId> {
    PASSED_DIRTY.get()?.pop()
}

/// Frames in the table.
pub fn count() -> usize {
    table().frames.len()
}

/// What a frame is to the clock, seen without clearing any accessed bit.
pub enum Peek {
    /// Not a candidate now (free, busy, pinned, being cleaned, just filled, used lately).
    Taken,
    /// The clock could take it without a write.
    Clean,
    /// The clock would have to write it first: this anonymous page, which this space alone
    /// maps.
    Dirty(Arc<Page>, Arc<AddressSpace>),
}

/// Looks at frame `id` as the clock would, without clearing any accessed bit.
pub fn peek(id: FrameId) -> Peek {
    let state = frame(id).lock();
    let FrameState::InUse { users, pins, copy, cleaning, .. } = &*state else { return Peek::Taken };
    if *pins > 0 || *cleaning || fills_since_filled(id) < clock::RECENT_FILLS {
        return Peek::Taken;
    }
    let mut used = false;
    for_each_mapping(users, |space, upage| used |= space.directory.lookup(upage).is_some_and(|mapping| mapping.accessed));
    if used {
        return Peek::Taken;
    }
    if !is_dirty(users) && *copy != CleanCopy::None {
        return Peek::Clean;
    }
    match users.as_slice() {
        [user] if user.page.kind == Kind::Anonymous => match user.space.upgrade() {
            Some(space) => Peek::Dirty(user.page.clone(), space),
            None => Peek::Taken,
        },
        _ => Peek::Taken,
    }
}

/// A frame for a page read ahead for `space`, if one costs nothing: free in the user pool,
/// or holding a clean page that `space`'s run of faults has passed (the run's next fault
/// would take it anyway). Never a dirty page, and never one the clock would choose: that
/// would take a frame from another process for a page that may never be used. (A page its
/// process writes on another CPU while it is claimed is written to its own slot, as in any
/// eviction; if that write fails, the page stays and there is no frame.) The frame comes
/// back `Filling(owner)`.
pub async fn obtain_cheap(space: &Weak<AddressSpace>, owner: Arc<Event>) -> Option<FrameId> {
    if let Some(id) = allocate(&owner) {
        return Some(id);
    }
    let eviction_event = Event::new();
    // The space is held only while the victim is claimed: an exiting process's page
    // directory must not outlive it for the length of an eviction.
    let victim = behind_run(&*space.upgrade()?, &eviction_event, true)?;
    let id = victim.id;
    let eviction = evict(victim, owner).await?;
    super::stats::count_eviction(eviction);
    Some(id)
}

/// Frees the swap slots that frames keep as clean copies of their pages (the swap cache),
/// so that dirty pages can be written out when swap is full: those pages will be written
/// again when they are evicted.
fn give_up_swap_cache() {
    for state in &table().frames {
        // A page read ahead keeps its slot: without it, evicting the unused page would be a
        // write, and `keep`, should that write fail, would map a page no fault has mapped.
        if let FrameState::InUse { copy, prefetched: false, .. } = &mut *state.lock()
            && let CleanCopy::Swap(slot) = *copy
        {
            swap::free(slot);
            *copy = CleanCopy::None;
        }
    }
}

/// Returns a frame the caller owns (`Filling`) or whose last user left (`InUse`) to the pool.
pub fn release(id: FrameId) {
    release_locked(id, frame(id).lock());
}

/// [`release`] for a caller that holds the frame's lock (`state`) and took its last user out:
/// the frame must become `Free` in that same hold, as in between two holds another CPU's
/// clock would find it in use with no user.
pub fn release_locked(id: FrameId, mut state: SpinGuard<'_, FrameState>) {
    state.transition(FrameEvent::Release, FrameState::Free);
    drop(state);
    memory::free_user_frame(physical(id));
    super::stats::note_frame(false);
}

/// Keeps frame `id` in memory until [`unpin`]; fails if it is not in use, or if its page
/// was read ahead and no fault has mapped it yet (the caller faults it in, which maps it).
pub fn pin(id: FrameId) -> bool {
    match &mut *frame(id).lock() {
        FrameState::InUse { pins, prefetched: false, .. } => {
            *pins += 1;
            true
        }
        _ => false,
    }
}

pub fn unpin(id: FrameId) {
    match &mut *frame(id).lock() {
        FrameState::InUse { pins, .. } if *pins > 0 => *pins -= 1,
        _ => panic!("unpinning frame {id}, which is not pinned"),
    }
}
