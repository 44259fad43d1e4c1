//! Interrupt-safe spinlocks: `spin`'s spin lock, taken with interrupts off, with a name for
//! the lock-order checker and the deadlock report, and the CPU that holds it.
//!
//! Not `spin`'s ticket lock, although it is fair: under QEMU a virtual CPU is a host thread,
//! and with more virtual CPUs than host cores the waiter whose turn it is may not be
//! running, while every other CPU spins behind it. A plain test-and-set lock goes to
//! whichever waiter runs (measured: the `sync-contention` self-test on four CPUs did not
//! finish in 120 s with the ticket lock, and takes about a second with this one). Sections
//! under a spinlock are short; fairness where waits are long is the sleeping locks' job
//! (`Semaphore` hands its unit over, the IDE channels' `AsyncMutex` serves tickets).

use core::marker::PhantomData;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use spin::mutex::{SpinMutex, SpinMutexGuard};

use crate::arch::{cpu, percpu};

/// `SpinLock::holder` when no CPU holds the lock.
const NO_CPU: u32 = u32::MAX;

/// Panics if this CPU already holds the lock whose holder is `holder`: with interrupts off,
/// that can only be code that interrupted the holder on this very CPU, which would spin
/// forever waiting for itself.
fn check_not_held_here(holder: &AtomicU32, name: &str) {
    if holder.load(Ordering::Relaxed) == percpu::id() as u32 {
        panic!("deadlock: spinlock '{name}' taken again on the CPU that holds it");
    }
}

/// Keeps interrupts disabled while it lives, then restores the previous state.
pub struct InterruptsOff {
    was_enabled: bool,
    _not_send: PhantomData<*const ()>,
}

impl InterruptsOff {
    pub fn new() -> InterruptsOff {
        let was_enabled = cpu::disable_interrupts();
        if was_enabled {
            super::off_time::began();
        }
        InterruptsOff { was_enabled, _not_send: PhantomData }
    }
}

impl Drop for InterruptsOff {
    fn drop(&mut self) {
        if self.was_enabled {
            super::off_time::ending();
        }
        cpu::restore_interrupts(self.was_enabled);
    }
}

/// A lock for data shared with interrupt handlers and other CPUs. Taking it disables
/// interrupts, so its holder is never preempted: another CPU that wants it spins for a
/// short while; code on the holder's own CPU that wants it can only have interrupted the
/// holder, a deadlock it reports by name instead of spinning forever.
pub struct SpinLock<T> {
    name: &'static str,
    /// Its place in the lock order (`sync::order`), checked in debug builds.
    #[cfg(debug_assertions)]
    level: u8,
    /// The CPU that holds it (`NO_CPU`: none).
    holder: AtomicU32,
    inner: SpinMutex<T>,
}

impl<T> SpinLock<T> {
    pub const fn new(name: &'static str, value: T) -> SpinLock<T> {
        SpinLock {
            name,
            #[cfg(debug_assertions)]
            level: super::order::spinning_level(name),
            holder: AtomicU32::new(NO_CPU),
            inner: SpinMutex::new(value),
        }
    }

    pub fn lock(&self) -> SpinGuard<'_, T> {
        let irq = InterruptsOff::new();
        check_not_held_here(&self.holder, self.name);
        #[cfg(debug_assertions)]
        super::order::spin_acquire(self.name, self.level, self as *const Self as usize);
        let guard = self.inner.lock();
        self.holder.store(percpu::id() as u32, Ordering::Relaxed);
        SpinGuard { guard: Some(guard), lock: self, _irq: irq }
    }

    /// Takes the lock unless this CPU already holds it (which `lock` reports as a deadlock):
    /// for the panic path, which may have interrupted the holder.
    pub fn lock_unless_held_here(&self) -> Option<SpinGuard<'_, T>> {
        let irq = InterruptsOff::new();
        if self.holder.load(Ordering::Relaxed) == percpu::id() as u32 {
            return None;
        }
        drop(irq);
        Some(self.lock())
    }

    /// Releases a lock whose guard [`SpinGuard::hand_over`] gave up: the context switch
    /// takes the scheduler's lock in one thread and releases it in the next one to run on
    /// the same CPU.
    ///
    /// # Safety
    /// This CPU must hold the lock through a guard that was handed over, and nothing else
    /// may be using the data.
    pub unsafe fn unlock_handed_over(&self) {
        self.release();
        // SAFETY: the caller guarantees this CPU holds the lock and no guard remains.
        unsafe { self.inner.force_unlock() };
    }

    fn release(&self) {
        self.holder.store(NO_CPU, Ordering::Relaxed);
        #[cfg(debug_assertions)]
        super::order::spin_release(self as *const Self as usize);
    }

    /// The lock's name, for the lock-order checker of debug builds.
    #[cfg(debug_assertions)]
    pub fn name(&self) -> &'static str {
        self.name
    }
}

/// The spinlock guards the state of the cores of `rintos_syncore`: the semaphore's and
/// `task::AsyncMutex`'s.
impl<T> rintos_syncore::Lock<T> for SpinLock<T> {
    fn with<R>(&self, section: impl FnOnce(&mut T) -> R) -> R {
        section(&mut self.lock())
    }
}

/// Access to a [`SpinLock`]'s data; interrupts stay off until it is dropped.
pub struct SpinGuard<'a, T> {
    /// `None` only while it is being handed over.
    guard: Option<SpinMutexGuard<'a, T>>,
    lock: &'a SpinLock<T>,
    // Dropped after `guard`, so no interrupt can find the lock taken by a holder that is
    // already done with it.
    _irq: InterruptsOff,
}

impl<T> SpinGuard<'_, T> {
    /// Gives the guard up without releasing the lock: see [`SpinLock::unlock_handed_over`].
    /// Interrupts stay off (the caller had them off already).
    pub fn hand_over(mut self) {
        core::mem::forget(self.guard.take());
        core::mem::forget(self);
    }
}

impl<T> Deref for SpinGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.guard.as_ref().expect("a live guard")
    }
}

impl<T> DerefMut for SpinGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.guard.as_mut().expect("a live guard")
    }
}

impl<T> Drop for SpinGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.release();
        // `guard` is dropped after this, which unlocks.
    }
}

/// The raw form of [`SpinLock`] that the heap allocator (talc, through `lock_api`) needs:
/// `spin`'s spin lock, taken with interrupts off.
pub struct HeapLock {
    lock: SpinMutex<()>,
    holder: AtomicU32,
    /// The interrupt state to restore when the holder unlocks.
    interrupts_were_enabled: AtomicBool,
}

// SAFETY: `lock` disables interrupts, then takes `spin`'s lock (spinning while another CPU
// holds it), so two holders never coexist; `unlock` is only called by the holder
// (lock_api's contract), on its CPU, with interrupts still off.
unsafe impl lock_api::RawMutex for HeapLock {
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: HeapLock = HeapLock {
        lock: SpinMutex::new(()),
        holder: AtomicU32::new(NO_CPU),
        interrupts_were_enabled: AtomicBool::new(false),
    };
    type GuardMarker = lock_api::GuardNoSend;

    fn lock(&self) {
        let was_enabled = cpu::disable_interrupts();
        if was_enabled {
            super::off_time::began();
        }
        check_not_held_here(&self.holder, "heap");
        // Checked once interrupts are off, like any spinlock's, so that no interrupt handler
        // finds the heap listed as held before it is.
        #[cfg(debug_assertions)]
        super::order::spin_acquire("heap", super::order::spinning_level("heap"), self as *const Self as usize);
        // Held until `unlock`, which has no guard to drop.
        core::mem::forget(self.lock.lock());
        self.holder.store(percpu::id() as u32, Ordering::Relaxed);
        self.interrupts_were_enabled.store(was_enabled, Ordering::Relaxed);
    }

    fn try_lock(&self) -> bool {
        let was_enabled = cpu::disable_interrupts();
        let Some(guard) = self.lock.try_lock() else {
            cpu::restore_interrupts(was_enabled);
            return false;
        };
        core::mem::forget(guard);
        if was_enabled {
            super::off_time::began();
        }
        #[cfg(debug_assertions)]
        super::order::spin_acquire("heap", super::order::spinning_level("heap"), self as *const Self as usize);
        self.holder.store(percpu::id() as u32, Ordering::Relaxed);
        self.interrupts_were_enabled.store(was_enabled, Ordering::Relaxed);
        true
    }

    unsafe fn unlock(&self) {
        let was_enabled = self.interrupts_were_enabled.load(Ordering::Relaxed);
        self.holder.store(NO_CPU, Ordering::Relaxed);
        #[cfg(debug_assertions)]
        super::order::spin_release(self as *const Self as usize);
        // SAFETY: the caller holds the lock (lock_api's contract), taken in `lock`.
        unsafe { self.lock.force_unlock() };
        if was_enabled {
            super::off_time::ending();
        }
        cpu::restore_interrupts(was_enabled);
    }
}
