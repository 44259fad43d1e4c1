//! The panic path: the runner must see a failure and a symbolized call stack.

/// Panics on purpose, a few calls deep so the call stack has frames to show.
pub fn deliberate() {
    nested(3);
}

#[inline(never)]
fn nested(depth: u32) {
    if depth == 0 {
        panic!("ktest panic: deliberate");
    }
    nested(depth - 1);
    core::hint::black_box(depth);
}
