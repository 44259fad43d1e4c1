/// The ARC4 (alleged RC4) stream cipher: a key schedule permutes a 256-byte state, then
/// every output byte is XORed with the next byte of the keystream. Encrypting twice with
/// fresh ciphers of the same key restores the plaintext.
#[derive(Clone)]
pub struct Arc4 {
    state: [u8; 256],
    i: u8,
    j: u8,
}

impl Arc4 {
    /// Runs the key schedule. The key is used cyclically; it must not be empty.
    pub fn new(key: &[u8]) -> Arc4 {
        assert!(!key.is_empty(), "ARC4 needs a key of at least one byte");
        let mut state = [0u8; 256];
        for (index, byte) in state.iter_mut().enumerate() {
            *byte = index as u8;
        }
        let mut j = 0u8;
        for (i, &key_byte) in (0..256).zip(key.iter().cycle()) {
            j = j.wrapping_add(state[i]).wrapping_add(key_byte);
            state.swap(i, usize::from(j));
        }
        Arc4 { state, i: 0, j: 0 }
    }

    /// The next keystream byte.
    pub fn next_byte(&mut self) -> u8 {
        self.i = self.i.wrapping_add(1);
        self.j = self.j.wrapping_add(self.state[usize::from(self.i)]);
        self.state.swap(usize::from(self.i), usize::from(self.j));
        let index = self.state[usize::from(self.i)].wrapping_add(self.state[usize::from(self.j)]);
        self.state[usize::from(index)]
    }

    /// Encrypts (or, equivalently, decrypts) `buf` in place, continuing the keystream.
    pub fn crypt(&mut self, buf: &mut [u8]) {
        for byte in buf {
            *byte ^= self.next_byte();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Arc4;

    #[test]
    fn matches_the_published_test_vector() {
        // The widely published RC4 vector: key "Key", plaintext "Plaintext".
        let mut text = *b"Plaintext";
        Arc4::new(b"Key").crypt(&mut text);
        assert_eq!(text, [0xBB, 0xF3, 0x16, 0xE8, 0xD9, 0x40, 0xAF, 0x0A, 0xD3]);
    }

    #[test]
    fn crypting_twice_restores_the_data() {
        let original: [u8; 300] = core::array::from_fn(|i| (i * 7) as u8);
        let mut data = original;
        Arc4::new(b"foobar").crypt(&mut data);
        assert_ne!(data, original);
        Arc4::new(b"foobar").crypt(&mut data);
        assert_eq!(data, original);
    }

    #[test]
    fn the_stream_continues_across_calls() {
        let mut whole = [0u8; 100];
        Arc4::new(b"foobar").crypt(&mut whole);
        let mut pieces = [0u8; 100];
        let mut cipher = Arc4::new(b"foobar");
        let (first, second) = pieces.split_at_mut(37);
        cipher.crypt(first);
        cipher.crypt(second);
        assert_eq!(whole, pieces);
    }
}
