//! The process's pseudo-random generator, as `lib/random.c` keeps it: one stream per
//! process, seeded with 0 unless [`init`] seeds it otherwise. Tests that regenerate the
//! same data in several processes (syn-read, syn-write) rely on every process getting
//! the same stream from the same seed.
use rintos_algo::Prng;

static PRNG: crate::ProcessGlobal<Option<Prng>> = crate::ProcessGlobal::new(None);

fn with_prng<T>(use_prng: impl FnOnce(&mut Prng) -> T) -> T {
    let mut prng = PRNG.borrow_mut();
    use_prng(prng.get_or_insert_with(|| Prng::new(0)))
}

/// `random_init(seed)`: restarts the stream from `seed`.
pub fn init(seed: u32) {
    *PRNG.borrow_mut() = Some(Prng::new(seed));
}

/// `random_bytes(buf, size)`.
pub fn fill_bytes(buf: &mut [u8]) {
    with_prng(|prng| prng.fill_bytes(buf));
}

/// `random_ulong()`.
pub fn next_u32() -> u32 {
    with_prng(Prng::next_u32)
}

/// The classic `shuffle` of `src/tests/lib.c`, drawing from this stream.
pub fn shuffle<T>(items: &mut [T]) {
    with_prng(|prng| rintos_algo::shuffle(items, prng));
}
