//! A sleeping mutual-exclusion lock that owns the data it protects.

use core::cell::UnsafeCell;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicU32, Ordering};

use super::scheduler;
use super::semaphore::Semaphore;

const NO_HOLDER: u32 = 0;

/// Like Pintos' `struct lock`: a binary semaphore plus the identity of its holder, which
/// lets us catch a thread that takes a lock it already holds (a self-deadlock) by name.
pub struct Mutex<T> {
    name: &'static str,
    /// Its place in the lock order (`sync::order`), checked in debug builds.
    #[cfg(debug_assertions)]
    level: u8,
    semaphore: Semaphore,
    holder: AtomicU32,
    value: UnsafeCell<T>,
}

// SAFETY: `value` is only reached through a guard, and the semaphore admits one guard at a time.
unsafe impl<T: Send> Sync for Mutex<T> {}
unsafe impl<T: Send> Send for Mutex<T> {}

impl<T> Mutex<T> {
    pub const fn new(name: &'static str, value: T) -> Mutex<T> {
        Mutex {
            name,
            #[cfg(debug_assertions)]
            level: crate::sync::order::sleeping_level(name),
            semaphore: Semaphore::new(1),
            holder: AtomicU32::new(NO_HOLDER),
            value: UnsafeCell::new(value),
        }
    }

    /// Sleeps until the lock is free, then takes it.
    pub fn lock(&self) -> MutexGuard<'_, T> {
        let me = scheduler::current_tid();
        assert!(self.holder.load(Ordering::Relaxed) != me, "thread {me} took lock '{}' twice", self.name);
        #[cfg(debug_assertions)]
        crate::sync::order::check_sleeping(self.name, self.level, me);
        self.semaphore.down();
        self.holder.store(me, Ordering::Relaxed);
        #[cfg(debug_assertions)]
        crate::sync::order::acquired_sleeping(self.name, self.level, self as *const Self as usize, me);
        MutexGuard { mutex: self }
    }

    fn unlock(&self) {
        #[cfg(debug_assertions)]
        crate::sync::order::released_sleeping(self as *const Self as usize, scheduler::current_tid());
        self.holder.store(NO_HOLDER, Ordering::Relaxed);
        self.semaphore.up();
    }
}

pub struct MutexGuard<'a, T> {
    mutex: &'a Mutex<T>,
}

impl<'a, T> MutexGuard<'a, T> {
    /// Releases the lock and hands back the mutex; used by [`super::condvar::Condvar::wait`].
    pub(super) fn unlock(self) -> &'a Mutex<T> {
        let mutex = self.mutex;
        core::mem::forget(self);
        mutex.unlock();
        mutex
    }
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard proves we hold the lock.
        unsafe { &*self.mutex.value.get() }
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard proves we hold the lock.
        unsafe { &mut *self.mutex.value.get() }
    }
}

impl<T> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.mutex.unlock();
    }
}
