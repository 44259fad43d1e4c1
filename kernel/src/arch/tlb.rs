//! TLB shootdown. A CPU caches translations in its TLB; when one CPU removes a mapping of
//! an address space that another CPU runs, that CPU may go on using the old translation
//! (reading a frame that now holds someone else's page, writing a page already written
//! out) until it drops it. So the CPU that unmaps collects, in a [`Shootdown`], the pages
//! and the CPUs that may cache them, and before the frame is reused (or the dirty bit read
//! at the unmap trusted) it interrupts those CPUs and waits until each has invalidated
//! them: one round of interrupts per batch (an eviction, a release), not per page.
//!
//! Clearing an accessed bit needs no shootdown: a stale accessed bit in another CPU's TLB
//! only makes the clock's second chance less precise.

use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};

use super::apic::{self, TLB_SHOOTDOWN_VECTOR};
use super::percpu::{self, MAX_CPUS};
use super::cpu;
use super::locked_u64::LockedU64;

/// Pages invalidated one by one; a batch of more makes the CPUs drop every translation of
/// user space (reloading CR3 keeps the kernel's, which are global).
const MAX_PAGES: usize = 16;

/// Rounds of shootdown interrupts sent, CPUs interrupted, and the TSC cycles senders spent
/// in rounds (from sending to the last answer) (statistics).
pub static ROUNDS: LockedU64 = LockedU64::new(0);
pub static CPUS_INTERRUPTED: LockedU64 = LockedU64::new(0);
pub static CYCLES: LockedU64 = LockedU64::new(0);

/// What has to be invalidated on which other CPUs.
#[derive(Default)]
pub struct Shootdown {
    cpus: u32,
    pages: [usize; MAX_PAGES],
    count: usize,
    /// More pages than `pages` holds: flush everything.
    overflow: bool,
}

impl Shootdown {
    pub fn new() -> Shootdown {
        Shootdown::default()
    }

    /// Notes that `cpus` may cache a translation of `page`.
    pub fn add(&mut self, cpus: u32, page: usize) {
        if cpus == 0 {
            return;
        }
        self.cpus |= cpus;
        if self.count < MAX_PAGES {
            self.pages[self.count] = page;
            self.count += 1;
        } else {
            self.overflow = true;
        }
    }

    /// Whether any other CPU has to be told.
    pub fn is_needed(&self) -> bool {
        self.cpus != 0
    }

    /// Interrupts the CPUs and waits until each has invalidated the pages. The caller must
    /// hold no spinlock and have interrupts on: the other CPUs may be waiting for either.
    pub fn run(self) {
        if !self.is_needed() {
            return;
        }
        assert!(cpu::interrupts_enabled(), "a TLB shootdown with interrupts off could wait forever");
        // One round at a time. Wait for the round with interrupts on, so that a round sent
        // to this CPU meanwhile is answered.
        while ROUND.busy.swap(true, Ordering::Acquire) {
            core::hint::spin_loop();
        }
        let was_enabled = cpu::disable_interrupts();
        let me = percpu::id();
        let targets = self.cpus & !(1 << me) & online_mask();
        if self.cpus & (1 << me) != 0 {
            self.invalidate_here();
        }
        for (slot, &page) in ROUND.pages.iter().zip(&self.pages[..self.count]) {
            slot.store(page, Ordering::Relaxed);
        }
        ROUND.count.store(if self.overflow { MAX_PAGES + 1 } else { self.count }, Ordering::Relaxed);
        ROUND.pending.store(targets, Ordering::Release);
        let sent = cpu::rdtsc();
        if targets != 0 {
            ROUNDS.fetch_add(1);
            CPUS_INTERRUPTED.fetch_add(u64::from(targets.count_ones()));
        }
        // The round's pages must be visible before any target takes the interrupt.
        core::sync::atomic::fence(Ordering::SeqCst);
        for cpu in (0..MAX_CPUS).filter(|cpu| targets & (1 << cpu) != 0) {
            apic::send_ipi(cpu, TLB_SHOOTDOWN_VECTOR);
        }
        // The targets answer from their interrupt handlers; none of them waits for us.
        while ROUND.pending.load(Ordering::Acquire) != 0 {
            core::hint::spin_loop();
        }
        if targets != 0 {
            CYCLES.fetch_add(cpu::rdtsc() - sent);
        }
        ROUND.busy.store(false, Ordering::Release);
        cpu::restore_interrupts(was_enabled);
    }

    fn invalidate_here(&self) {
        if self.overflow {
            flush_user();
        } else {
            for &page in &self.pages[..self.count] {
                cpu::invalidate_page(page);
            }
        }
    }
}

fn online_mask() -> u32 {
    (0..MAX_CPUS).filter(|&cpu| percpu::is_online(cpu)).fold(0, |mask, cpu| mask | (1 << cpu))
}

/// The round in flight: its pages, and the CPUs that have not answered yet.
struct Round {
    busy: AtomicBool,
    pending: AtomicU32,
    pages: [AtomicUsize; MAX_PAGES],
    count: AtomicUsize,
}

static ROUND: Round = Round {
    busy: AtomicBool::new(false),
    pending: AtomicU32::new(0),
    pages: [const { AtomicUsize::new(0) }; MAX_PAGES],
    count: AtomicUsize::new(0),
};

/// Drops every user translation of this CPU (CR3 reloaded; the kernel's are global).
fn flush_user() {
    // SAFETY: reloading the active directory changes no mapping.
    unsafe { cpu::set_cr3(cpu::cr3()) };
}

/// The shootdown interrupt's handler: invalidate the round's pages, then answer.
pub fn on_shootdown() {
    let count = ROUND.count.load(Ordering::Relaxed);
    if count > MAX_PAGES {
        flush_user();
    } else {
        for page in &ROUND.pages[..count] {
            cpu::invalidate_page(page.load(Ordering::Relaxed));
        }
    }
    ROUND.pending.fetch_and(!(1 << percpu::id()), Ordering::AcqRel);
}
