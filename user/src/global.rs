use core::cell::{RefCell, RefMut};

/// A `static` the program can change: the user-space counterpart of a C global.
///
/// It is a `RefCell` that may live in a `static`. A Pintos user process runs a single
/// thread and receives no signals, so no two accesses can ever overlap in time; the
/// `RefCell` still catches re-entrant borrows (a bug) with a panic. A zero initial value
/// keeps the variable in `.bss`, so even megabyte buffers cost nothing in the executable.
pub struct ProcessGlobal<T>(RefCell<T>);

// SAFETY: a user process has exactly one thread (Pintos has no user threads), so the
// value is never reached from two threads.
unsafe impl<T> Sync for ProcessGlobal<T> {}

impl<T> ProcessGlobal<T> {
    pub const fn new(value: T) -> ProcessGlobal<T> {
        ProcessGlobal(RefCell::new(value))
    }

    /// Exclusive access until the guard is dropped; panics if it is already borrowed.
    pub fn borrow_mut(&self) -> RefMut<'_, T> {
        self.0.borrow_mut()
    }
}

impl<T: Copy> ProcessGlobal<T> {
    pub fn get(&self) -> T {
        *self.0.borrow()
    }

    pub fn set(&self, value: T) {
        *self.0.borrow_mut() = value;
    }
}
