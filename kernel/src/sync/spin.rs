//! Interrupt-safe spinlocks for a single CPU.

use core::cell::UnsafeCell;
use core::marker::PhantomData;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicBool, Ordering};

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
/// single CPU the holder cannot be preempted and the lock word is only a check: finding it
/// taken means the holder was interrupted by code that wants the same lock, a deadlock we
/// report by name instead of spinning forever.
pub struct SpinLock<T> {
    name: &'static str,
    /// Its place in the lock order (`sync::order`), checked in debug builds.
    #[cfg(debug_assertions)]
    level: u8,
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: access to `value` is serialized by `locked` with interrupts off.
unsafe impl<T: Send> Sync for SpinLock<T> {}
unsafe impl<T: Send> Send for SpinLock<T> {}

impl<T> SpinLock<T> {
    pub const fn new(name: &'static str, value: T) -> SpinLock<T> {
        SpinLock {
            name,
            #[cfg(debug_assertions)]
            level: super::order::spinning_level(name),
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    pub fn lock(&self) -> SpinGuard<'_, T> {
        let irq = InterruptsOff::new();
        #[cfg(debug_assertions)]
        super::order::spin_acquire(self.name, self.level, self as *const Self as usize);
        if self.locked.swap(true, Ordering::Acquire) {
            panic!("deadlock: spinlock '{}' taken again by code that interrupted its holder", self.name);
        }
        SpinGuard { lock: self, _irq: irq }
    }

    /// The lock's name, for the lock-order checker of debug builds.
    #[cfg(debug_assertions)]
    pub fn name(&self) -> &'static str {
        self.name
    }
}

/// Access to a [`SpinLock`]'s data; interrupts stay off until it is dropped.
pub struct SpinGuard<'a, T> {
    lock: &'a SpinLock<T>,
    // Dropped after `Drop::drop` released the lock word, so no interrupt can find the lock
    // taken by a holder that is already done with it.
    _irq: InterruptsOff,
}

impl<T> Deref for SpinGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: we hold the lock.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> DerefMut for SpinGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: we hold the lock.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T> Drop for SpinGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.locked.store(false, Ordering::Release);
        #[cfg(debug_assertions)]
        super::order::spin_release(self.lock as *const SpinLock<T> as usize);
    }
}

/// The raw form of [`SpinLock`] that the heap allocator (talc, through `lock_api`) needs.
pub struct HeapLock {
    locked: AtomicBool,
    interrupts_were_enabled: AtomicBool,
}

// SAFETY: `lock` disables interrupts before taking the flag and panics instead of spinning,
// so two holders can never coexist on our single CPU.
unsafe impl lock_api::RawMutex for HeapLock {
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: HeapLock =
        HeapLock { locked: AtomicBool::new(false), interrupts_were_enabled: AtomicBool::new(false) };
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
        if self.locked.swap(true, Ordering::Acquire) {
            cpu::restore_interrupts(was_enabled);
            return false;
        }
        self.interrupts_were_enabled.store(was_enabled, Ordering::Relaxed);
        true
    }

    unsafe fn unlock(&self) {
        let was_enabled = self.interrupts_were_enabled.load(Ordering::Relaxed);
        self.locked.store(false, Ordering::Release);
        #[cfg(debug_assertions)]
        super::order::spin_release(self as *const Self as usize);
        cpu::restore_interrupts(was_enabled);
    }
}
