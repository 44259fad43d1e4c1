//! The panic path: the runner must see a failure and a symbolized call stack, also for a
//! double fault and for a panic inside the panic path.

/// Panics on purpose, a few calls deep so the call stack has frames to show.
pub fn deliberate() {
    nested_then(3, || panic!("ktest panic: deliberate"));
}

/// Runs the kernel stack into unmapped memory: the CPU cannot push the frame of the
/// exception, faults again, and switches to the double-fault task, which must report.
pub fn double_fault() {
    nested_then(2, || {
        // SAFETY: deliberately not safe: the point is to crash. Page 1 is unmapped after boot,
        // so pushing the breakpoint exception's frame there faults, and so does pushing the
        // page fault's frame: a double fault.
        unsafe { core::arch::asm!("mov esp, 0x2000", "int3", options(noreturn)) }
    });
}

/// Panics with a message whose formatting panics again.
pub fn recursion() {
    struct Explodes;
    impl core::fmt::Display for Explodes {
        fn fmt(&self, _: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            panic!("a panic while printing a panic");
        }
    }
    nested_then(2, || panic!("ktest panic-recursion: {}", Explodes));
}

#[inline(never)]
fn nested_then(depth: u32, end: impl Fn()) {
    if depth == 0 {
        end();
    } else {
        nested_then(depth - 1, end);
    }
    core::hint::black_box(depth);
}
