use crate::Arc4;

/// The pseudo-random generator of the Pintos user library (`lib/random.c`): an RC4
/// keystream whose key is the 4 bytes of the seed in memory order (little-endian on
/// i386). Reseeding restarts the stream.
#[derive(Clone)]
pub struct Prng {
    keystream: Arc4,
}

impl Prng {
    /// `random_init(seed)`.
    pub fn new(seed: u32) -> Prng {
        Prng {
            keystream: Arc4::new(&seed.to_le_bytes()),
        }
    }

    /// `random_bytes(buf, size)`: fills `buf` with the next bytes of the stream.
    pub fn fill_bytes(&mut self, buf: &mut [u8]) {
        for byte in buf {
            *byte = self.keystream.next_byte();
        }
    }

    /// `random_ulong()`: the next 4 bytes as an i386 `unsigned long`.
    pub fn next_u32(&mut self) -> u32 {
        let mut bytes = [0u8; 4];
        self.fill_bytes(&mut bytes);
        u32::from_le_bytes(bytes)
    }
}

/// The shuffle of `tests/lib.c`: for each position `i` in order, swaps in the element at
/// `i + random_ulong() % (len - i)`. The modulo is taken in 32 bits, as on i386.
pub fn shuffle<T>(items: &mut [T], prng: &mut Prng) {
    let len = items.len();
    for i in 0..len {
        let remaining = u32::try_from(len - i).expect("shuffle supports up to 2^32 elements");
        let j = i + (prng.next_u32() % remaining) as usize;
        items.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::{Prng, shuffle};
    use crate::{Arc4, cksum};

    /// The values below are the ones the classic test programs print (see the test
    /// catalogue); matching them shows that ARC4, cksum, the PRNG and shuffle are the
    /// classic algorithms, bit for bit.
    fn encrypted_zeros_cksum(len: usize) -> u32 {
        let mut zeros = [0u8; 65536];
        let buf = &mut zeros[..len];
        Arc4::new(b"foobar").crypt(buf);
        cksum(buf)
    }

    #[test]
    fn pt_grow_stack_checksum() {
        assert_eq!(encrypted_zeros_cksum(4096), 3_424_492_700);
    }

    #[test]
    fn pt_big_stk_obj_checksum() {
        assert_eq!(encrypted_zeros_cksum(65536), 3_256_410_166);
    }

    #[test]
    fn page_shuffle_checksums() {
        const SIZE: usize = 128 * 1024;
        let mut buf = [0u8; SIZE];
        for (i, byte) in buf.iter_mut().enumerate() {
            *byte = (i * 257) as u8;
        }
        assert_eq!(cksum(&buf), 3_115_322_833, "init");

        let expected: [u32; 10] = [
            1_691_062_564,
            1_973_575_879,
            1_647_619_479,
            96_566_261,
            3_885_786_467,
            3_022_003_332,
            3_614_934_266,
            2_704_001_777,
            735_775_156,
            1_864_109_763,
        ];
        let mut prng = Prng::new(0);
        for (round, &expected_cksum) in expected.iter().enumerate() {
            shuffle(&mut buf, &mut prng);
            assert_eq!(cksum(&buf), expected_cksum, "shuffle {round}");
        }
    }

    #[test]
    fn reseeding_restarts_the_stream() {
        let mut first = Prng::new(57);
        let a = first.next_u32();
        let mut second = Prng::new(57);
        assert_eq!(second.next_u32(), a);
        assert_ne!(Prng::new(58).next_u32(), a);
    }

    #[test]
    fn the_seed_is_keyed_in_little_endian_order() {
        let mut from_seed = Prng::new(0x0403_0201);
        let mut from_key = Arc4::new(&[1, 2, 3, 4]);
        let mut bytes = [0u8; 8];
        from_seed.fill_bytes(&mut bytes);
        let expected: [u8; 8] = core::array::from_fn(|_| from_key.next_byte());
        assert_eq!(bytes, expected);
    }

    #[test]
    fn shuffle_permutes() {
        let mut items: [u16; 1000] = core::array::from_fn(|i| i as u16);
        shuffle(&mut items, &mut Prng::new(0));
        assert_ne!(items, core::array::from_fn(|i| i as u16));
        items.sort_unstable();
        assert_eq!(items, core::array::from_fn(|i| i as u16));
    }
}
