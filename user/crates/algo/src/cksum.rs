use crc::{CRC_32_CKSUM, Crc};

/// The CRC behind POSIX `cksum`: polynomial 0x04C11DB7, most significant bit first, no
/// initial value, complemented at the end.
const CKSUM_CRC: Crc<u32> = Crc::<u32>::new(&CRC_32_CKSUM);

/// The checksum POSIX `cksum` prints for `data`: a CRC over the bytes followed by the
/// length, least significant byte first, in as few bytes as it needs (none for 0).
pub fn cksum(data: &[u8]) -> u32 {
    let mut digest = CKSUM_CRC.digest();
    digest.update(data);
    let mut remaining_length = data.len();
    while remaining_length != 0 {
        digest.update(&[remaining_length as u8]);
        remaining_length >>= 8;
    }
    digest.finalize()
}

#[cfg(test)]
mod tests {
    use super::cksum;

    #[test]
    fn matches_the_cksum_utility() {
        // Values printed by GNU coreutils `cksum` (`printf '' | cksum`, and so on).
        assert_eq!(cksum(b""), 4_294_967_295);
        assert_eq!(cksum(b"a"), 1_220_704_766);
        assert_eq!(cksum(b"123456789"), 930_766_865);
    }

    #[test]
    fn lengths_over_255_use_several_bytes() {
        // `head -c 256 /dev/zero | cksum`
        assert_eq!(cksum(&[0u8; 256]), 4_215_202_376);
    }
}
