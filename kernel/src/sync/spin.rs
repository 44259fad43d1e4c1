//! Interrupt-safe spinlocks: `spin`'s ticket lock, taken with interrupts off, with a name
//! for the lock-order checker and for the deadlock report.

use core::marker::PhantomData;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicBool, Ordering};

use spin::mutex::{SpinMutex, TicketMutex, TicketMutexGuard};

use crate::arch::cpu;

/// Keeps interrupts disabled while it lives, then restores the previous state.
pub struct InterruptsOff {
    was_enabled: bool,
    _not_send: PhantomData<*const ()>,
}

impl InterruptsOff {
    pub fn new() -> InterruptsOff {
        InterruptsOff { was_enabled: cpu::disable_interrupts(), _not_send: PhantomData }
    }
}

impl Drop for InterruptsOff {
    fn drop(&mut self) {
        cpu::restore_interrupts(self.was_enabled);
    }
}

/// A lock for data shared with interrupt handlers. Taking it disables interrupts, so on our
/// single CPU the holder cannot be preempted and the lock is never found taken by anyone but
/// code that interrupted its holder: a deadlock, which it reports by name instead of
/// spinning forever.
pub struct SpinLock<T> {
    name: &'static str,
    /// Its place in the lock order (`sync::order`), checked in debug builds.
    #[cfg(debug_assertions)]
    level: u8,
    inner: TicketMutex<T>,
}

impl<T> SpinLock<T> {
    pub const fn new(name: &'static str, value: T) -> SpinLock<T> {
        SpinLock {
            name,
            #[cfg(debug_assertions)]
            level: super::order::spinning_level(name),
            inner: TicketMutex::new(value),
        }
    }

    pub fn lock(&self) -> SpinGuard<'_, T> {
        let irq = InterruptsOff::new();
        #[cfg(debug_assertions)]
        super::order::spin_acquire(self.name, self.level, self as *const Self as usize);
        let Some(guard) = self.inner.try_lock() else {
            panic!("deadlock: spinlock '{}' taken again by code that interrupted its holder", self.name);
        };
        SpinGuard { guard, #[cfg(debug_assertions)] lock: self as *const Self as usize, _irq: irq }
    }

    /// The lock's name, for the lock-order checker of debug builds.
    #[cfg(debug_assertions)]
    pub fn name(&self) -> &'static str {
        self.name
    }
}

/// Access to a [`SpinLock`]'s data; interrupts stay off until it is dropped.
pub struct SpinGuard<'a, T> {
    guard: TicketMutexGuard<'a, T>,
    /// Which lock the lock-order checker is to forget.
    #[cfg(debug_assertions)]
    lock: usize,
    // Dropped after `guard`, so no interrupt can find the lock taken by a holder that is
    // already done with it.
    _irq: InterruptsOff,
}

impl<T> Deref for SpinGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T> DerefMut for SpinGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

#[cfg(debug_assertions)]
impl<T> Drop for SpinGuard<'_, T> {
    fn drop(&mut self) {
        super::order::spin_release(self.lock);
    }
}

/// The raw form of [`SpinLock`] that the heap allocator (talc, through `lock_api`) needs:
/// `spin`'s lock, taken with interrupts off.
pub struct HeapLock {
    lock: SpinMutex<()>,
    interrupts_were_enabled: AtomicBool,
}

// SAFETY: `lock` disables interrupts before taking `spin`'s lock and panics instead of
// spinning, so two holders can never coexist on our single CPU; `unlock` is only called by
// the holder (lock_api's contract).
unsafe impl lock_api::RawMutex for HeapLock {
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: HeapLock = HeapLock { lock: SpinMutex::new(()), interrupts_were_enabled: AtomicBool::new(false) };
    type GuardMarker = lock_api::GuardNoSend;

    fn lock(&self) {
        if !self.try_lock() {
            panic!("deadlock: the kernel heap was entered by code that interrupted an allocation");
        }
        // Checked once interrupts are off, like any spinlock's, so that no interrupt handler
        // finds the heap listed as held before it is.
        #[cfg(debug_assertions)]
        super::order::spin_acquire("heap", super::order::spinning_level("heap"), self as *const Self as usize);
    }

    fn try_lock(&self) -> bool {
        let was_enabled = cpu::disable_interrupts();
        let Some(guard) = self.lock.try_lock() else {
            cpu::restore_interrupts(was_enabled);
            return false;
        };
        // Held until `unlock`, which has no guard to drop.
        core::mem::forget(guard);
        self.interrupts_were_enabled.store(was_enabled, Ordering::Relaxed);
        true
    }

    unsafe fn unlock(&self) {
        let was_enabled = self.interrupts_were_enabled.load(Ordering::Relaxed);
        // SAFETY: the caller holds the lock (lock_api's contract), taken in `try_lock`.
        unsafe { self.lock.force_unlock() };
        #[cfg(debug_assertions)]
        super::order::spin_release(self as *const Self as usize);
        cpu::restore_interrupts(was_enabled);
    }
}
