//! The data tests write and check later. Every position gets a value mixed from the round
//! and the position (the finaliser of MurmurHash3), so a page that comes back from the wrong
//! place, from an older round, or not at all is caught.

/// The value of position `index` in round `round`.
pub fn word(round: u32, index: usize) -> u32 {
    let mut hash = (index as u32) ^ round.wrapping_mul(0x9E37_79B9);
    hash ^= hash >> 16;
    hash = hash.wrapping_mul(0x85EB_CA6B);
    hash ^= hash >> 13;
    hash = hash.wrapping_mul(0xC2B2_AE35);
    hash ^ (hash >> 16)
}

/// The byte at position `index` in round `round`.
pub fn byte(round: u32, index: usize) -> u8 {
    word(round, index) as u8
}

/// Fills `bytes`, which sit at position `start`, with round `round`.
pub fn fill(round: u32, start: usize, bytes: &mut [u8]) {
    for (offset, value) in bytes.iter_mut().enumerate() {
        *value = byte(round, start + offset);
    }
}

/// The first offset in `bytes` (which sit at position `start`) that does not hold round
/// `round`.
pub fn first_mismatch(round: u32, start: usize, bytes: &[u8]) -> Option<usize> {
    bytes
        .iter()
        .enumerate()
        .position(|(offset, &value)| value != byte(round, start + offset))
}
