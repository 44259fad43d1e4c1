use core::sync::atomic::{AtomicU64, Ordering};

static PAGE_FAULTS: AtomicU64 = AtomicU64::new(0);

pub fn count_fault() {
    PAGE_FAULTS.fetch_add(1, Ordering::Relaxed);
}

pub fn page_faults() -> u64 {
    PAGE_FAULTS.load(Ordering::Relaxed)
}
