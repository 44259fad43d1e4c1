//! The quicksort of `src/tests/vm/qsort.c`, used by child-qsort (on a 128 KiB stack array)
//! and child-qsort-mm (on a memory-mapped file). Pivots are picked with the process PRNG,
//! so the order of memory accesses is the classic one.
use crate::random;

/// Sorts `bytes` in place, ascending.
pub fn qsort_bytes(bytes: &mut [u8]) {
    if bytes.is_sorted() {
        return;
    }
    let pivot = bytes[random::next_u32() as usize % bytes.len()];
    let left_size = partition(bytes, pivot);
    let (left, right) = bytes.split_at_mut(left_size);
    // The smaller part first, as the classic code does.
    if left.len() <= right.len() {
        qsort_bytes(left);
        qsort_bytes(right);
    } else {
        qsort_bytes(right);
        qsort_bytes(left);
    }
}

/// Reorders `bytes` into a run of bytes below `pivot` followed by a run of bytes not
/// below it, and returns the length of the first run.
fn partition(bytes: &mut [u8], pivot: u8) -> usize {
    let mut first = 0;
    let mut last = bytes.len();
    loop {
        // Advance `first` to a byte that belongs on the right.
        while first < last && bytes[first] < pivot {
            first += 1;
        }
        // Retreat `last` to a byte that belongs on the left.
        while first < last && bytes[last - 1] >= pivot {
            last -= 1;
        }
        if first == last {
            debug_assert!(bytes[..first].iter().all(|&byte| byte < pivot));
            debug_assert!(bytes[first..].iter().all(|&byte| byte >= pivot));
            return first;
        }
        bytes.swap(first, last - 1);
    }
}
