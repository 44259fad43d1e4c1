//! Shuffles a 128 KiB static buffer ten times with the PRNG, printing its checksum after
//! each round: pages are touched in random order.
#![no_std]
#![no_main]

use rintos_user::algo::cksum;
use rintos_user::{ProcessGlobal, msg, random};

rintos_user::test_main!(test_main);

const SIZE: usize = 128 * 1024;
static BUFFER: ProcessGlobal<[u8; SIZE]> = ProcessGlobal::new([0; SIZE]);

fn test_main() {
    let mut buffer = BUFFER.borrow_mut();
    for (index, byte) in buffer.iter_mut().enumerate() {
        *byte = (index * 257) as u8;
    }
    msg!("init: cksum={}", cksum(&buffer[..]));

    for round in 0..10 {
        random::shuffle(&mut buffer[..]);
        msg!("shuffle {}: cksum={}", round, cksum(&buffer[..]));
    }
}
