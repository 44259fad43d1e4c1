//! The lock-order checker (`sync::order`, debug builds): locks taken in order pass, a lock
//! taken out of order panics with both names.

use crate::threads::Mutex;

use super::msg;

/// Takes two locks in order, then out of order, which must panic in a debug build.
pub fn violation() {
    let outer = Mutex::new("order-outer", ());
    let inner = Mutex::new("order-inner", ());
    {
        let _outer = outer.lock();
        let _inner = inner.lock();
        msg!("lock-order", "outer then inner: in order");
    }
    if !cfg!(debug_assertions) {
        msg!("lock-order", "a release build does not check the lock order");
        return;
    }
    let _inner = inner.lock();
    msg!("lock-order", "inner then outer: must panic");
    let _outer = outer.lock();
    panic!("the lock-order checker let 'order-outer' be taken inside 'order-inner'");
}
