//! The file-system tests of `src/tests/filesys/base`: create, sequential and random-order
//! writes, each verified by reading the file back.
use core::ffi::CStr;

use crate::cstr::show;
use crate::random;
use crate::syscall::{close, create, open, read, seek, write};
use crate::testlib::{check_file, compare_bytes};
use crate::{check, fail, msg};

/// sm-create, lg-create: a new file of `zeros.len()` bytes must read back as zeros.
pub fn create_test(name: &CStr, zeros: &[u8]) {
    check!(
        create(name, zeros.len() as u32),
        "create \"{}\"",
        show(name)
    );
    check_file(name, zeros);
}

/// The classic `seq_test`: fills `data` from the PRNG, creates `name` at `data.len()`
/// bytes, writes it front to back in blocks of `next_block_size()` bytes, and verifies it.
pub fn seq_test(name: &CStr, data: &mut [u8], mut next_block_size: impl FnMut() -> usize) {
    random::fill_bytes(data);
    check!(create(name, data.len() as u32), "create \"{}\"", show(name));
    check!(let fd = open(name) => fd > 1, "open \"{}\"", show(name));

    msg!("writing \"{}\"", show(name));
    let mut offset = 0;
    while offset < data.len() {
        let block_size = next_block_size().min(data.len() - offset);
        let block = &data[offset..offset + block_size];
        if usize::try_from(write(fd, block)) != Ok(block_size) {
            fail!(
                "write {} bytes at offset {} in \"{}\" failed",
                block_size,
                offset,
                show(name)
            );
        }
        offset += block_size;
    }
    msg!("close \"{}\"", show(name));
    close(fd);
    check_file(name, data);
}

/// sm-random, lg-random: writes `data` (PRNG bytes, seed 57) to `name` in blocks of
/// `BLOCK_SIZE` in a random order, then reads the blocks back in another random order.
pub fn random_order_test<const BLOCK_SIZE: usize, const BLOCK_COUNT: usize>(
    name: &CStr,
    data: &mut [u8],
) {
    assert_eq!(
        data.len(),
        BLOCK_SIZE * BLOCK_COUNT,
        "the data must be whole blocks"
    );
    random::init(57);
    random::fill_bytes(data);
    let mut order: [usize; BLOCK_COUNT] = core::array::from_fn(|index| index);

    check!(create(name, data.len() as u32), "create \"{}\"", show(name));
    check!(let fd = open(name) => fd > 1, "open \"{}\"", show(name));

    msg!("write \"{}\" in random order", show(name));
    random::shuffle(&mut order);
    for &block in &order {
        let offset = BLOCK_SIZE * block;
        seek(fd, offset as u32);
        if usize::try_from(write(fd, &data[offset..offset + BLOCK_SIZE])) != Ok(BLOCK_SIZE) {
            fail!("write {} bytes at offset {} failed", BLOCK_SIZE, offset);
        }
    }

    msg!("read \"{}\" in random order", show(name));
    random::shuffle(&mut order);
    for &block in &order {
        let offset = BLOCK_SIZE * block;
        let mut read_back = [0u8; BLOCK_SIZE];
        seek(fd, offset as u32);
        if usize::try_from(read(fd, &mut read_back)) != Ok(BLOCK_SIZE) {
            fail!("read {} bytes at offset {} failed", BLOCK_SIZE, offset);
        }
        compare_bytes(&read_back, &data[offset..offset + BLOCK_SIZE], offset, name);
    }

    msg!("close \"{}\"", show(name));
    close(fd);
}
