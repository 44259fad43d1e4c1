//! The IDE driver: read-after-write on each channel, both channels at once, and the
//! property the fault path depends on: a thread waiting for its disk does not stop others.
//!
//! Run with `--scratch-size=1 --blank-disk=1 --blank-disk=1`: the scratch partition of hda
//! is on the primary channel, the blank hdc on the secondary.

use alloc::vec;
use alloc::vec::Vec;
use core::sync::atomic::Ordering;

use super::{Counter, msg};
use crate::arch::layout::virt_to_phys;
use crate::devices::ata::{self, DiskError, REQUEST_TIMEOUT_TICKS};
use crate::devices::block::{self, BlockDevice, Role};
use crate::devices::timer;
use crate::task::block_on;
use crate::threads;

const SECTOR: usize = 512;

fn scratch() -> &'static BlockDevice {
    block::by_role(Role::Scratch).expect("run with --scratch-size=1: no scratch partition")
}

fn secondary_disk() -> &'static BlockDevice {
    block::by_name("hdc").expect("run with two --blank-disk options: no hdc")
}

/// Bytes that differ per device, sector and round, so a misplaced sector is noticed.
fn pattern(seed: u32, sector: u32, buffer: &mut [u8]) {
    let mut state = seed.wrapping_mul(2_654_435_761) ^ sector.wrapping_mul(40_503);
    for byte in buffer {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        *byte = state as u8;
    }
}

/// Writes `count` sectors at a time in `rounds` rounds and reads each back.
fn write_and_verify(device: &BlockDevice, seed: u32, rounds: u32, count: u32) {
    let mut written = vec![0u8; count as usize * SECTOR];
    let mut read = vec![0u8; count as usize * SECTOR];
    for round in 0..rounds {
        let first = (round * count) % (device.sectors() - count);
        pattern(seed + round, first, &mut written);
        block_on(device.write(first, &written)).expect("write failed");
        read.fill(0);
        block_on(device.read(first, &mut read)).expect("read failed");
        assert!(read == written, "{}: sectors {first}+{count} read back differently", device.name);
    }
}

pub fn primary() {
    let device = scratch();
    write_and_verify(device, 1, 8, 1);
    write_and_verify(device, 2, 8, 8);
    msg!("ata-primary", "{}: read back what was written", device.name);
}

pub fn secondary() {
    let device = secondary_disk();
    write_and_verify(device, 3, 8, 1);
    write_and_verify(device, 4, 8, 8);
    msg!("ata-secondary", "{}: read back what was written", device.name);
}

/// Two threads hammer the two channels at the same time; both see their own data.
pub fn both_channels() {
    let workers: Vec<_> = [(scratch(), 10u32), (secondary_disk(), 20u32)]
        .into_iter()
        .map(|(device, seed)| threads::spawn("ata-worker", move || write_and_verify(device, seed, 40, 4)))
        .collect();
    for worker in &workers {
        crate::threads::join(&worker);
    }
    msg!("ata-both-channels", "both channels verified under concurrent use");
}

/// Both channels at once by bus-master DMA: two threads write and read back on the two
/// channels at the same time, and every request of the test goes by DMA (the driver's DMA
/// counter advances with each one; with `-ata=pio`, or where the controller or a disk has no
/// DMA, this fails), both engines are seen running at once, and buffers that straddle a
/// 64 KiB boundary of physical memory, where the region table must break, come back whole.
pub fn dma() {
    let requests_before = ata::REQUESTS.load();
    let dma_before = ata::DMA_REQUESTS.load();
    // Whether the two threads' requests overlap depends on how the host schedules the
    // emulator's threads: a busy host may run each batch one channel after the other, so
    // the test tries several batches. A driver that serializes the channels never overlaps.
    const BATCHES: u32 = 10;
    for batch in 0..BATCHES {
        let workers: Vec<_> = [(scratch(), 30 + batch), (secondary_disk(), 40 + batch)]
            .into_iter()
            .map(|(device, seed)| threads::spawn("ata-dma-worker", move || write_and_verify(device, seed, 40, 8)))
            .collect();
        for worker in &workers {
            threads::join(worker);
        }
        if ata::DMA_IN_FLIGHT_PEAK.load(Ordering::Relaxed) >= 2 {
            break;
        }
    }
    assert!(
        ata::DMA_IN_FLIGHT_PEAK.load(Ordering::Relaxed) >= 2,
        "the two channels' DMA requests were never in flight at the same time in {BATCHES} batches"
    );
    msg!("ata-dma", "both channels verified, their engines running at once");
    for sectors in [16, 128] {
        across_64k(secondary_disk(), sectors);
    }
    msg!("ata-dma", "buffers across a 64 KiB boundary read back what was written");
    let requests = ata::REQUESTS.load() - requests_before;
    let by_dma = ata::DMA_REQUESTS.load() - dma_before;
    assert!(requests > 0 && by_dma == requests, "{} of the test's {requests} requests went by PIO", requests - by_dma);
    msg!("ata-dma", "every request went by DMA");
}

/// Writes and reads back `sectors` sectors through buffers that start 4 KiB below a 64 KiB
/// boundary of physical memory.
fn across_64k(device: &BlockDevice, sectors: usize) {
    const BOUNDARY: usize = 0x1_0000;
    const BEFORE: usize = 4096;
    let bytes = sectors * SECTOR;
    // A run of BOUNDARY + bytes bytes holds a boundary at least BEFORE bytes from its start
    // and the whole window after it.
    let window = |buffer: &[u8]| {
        let start = virt_to_phys(buffer.as_ptr() as usize);
        let boundary = (start + BEFORE).next_multiple_of(BOUNDARY);
        boundary - BEFORE - start
    };
    let mut written = vec![0u8; BOUNDARY + bytes];
    let mut read = vec![0u8; BOUNDARY + bytes];
    let (w, r) = (window(&written), window(&read));
    let (written, read) = (&mut written[w..w + bytes], &mut read[r..r + bytes]);
    pattern(50 + sectors as u32, 0, written);
    block_on(device.write(0, written)).expect("write failed");
    block_on(device.read(0, read)).expect("read failed");
    assert!(read == written, "{}: {sectors} sectors across a 64 KiB boundary read back differently", device.name);
}

/// A counting thread keeps running while another thread waits for disk requests: the count
/// advances across the requests. Run with `--throttle-iops`: a disk that answers at once
/// (QEMU's DMA, unthrottled) leaves nothing to wait for.
pub fn overlap() {
    const REQUESTS: u32 = 200;
    let counter = Counter::start(true);
    let device = scratch();
    let mut buffer = vec![0u8; 8 * SECTOR];
    let mut advanced_during_io = 0;
    for request in 0..REQUESTS {
        let before = counter.count();
        block_on(device.read(request * 8 % (device.sectors() - 8), &mut buffer)).expect("read failed");
        if counter.count() > before {
            advanced_during_io += 1;
        }
    }
    counter.finish();
    assert!(advanced_during_io > 0, "the counting thread never ran while a request was in flight");
    msg!("ata-overlap", "the counting thread ran during disk requests");
}

/// Run with `--scratch-size=1 --blank-disk=1 --stopped-disk`: hdc takes commands but never
/// completes a transfer. Its partition table read at boot timed out, so the boot went on
/// after the request timeout; from then on its requests fail at once, and the other channel
/// works as before.
pub fn stopped() {
    let stopped = block::by_name("hdc").expect("run with --stopped-disk after one --blank-disk: no hdc");
    let booted_after = timer::ticks();
    assert!(
        (REQUEST_TIMEOUT_TICKS..2 * REQUEST_TIMEOUT_TICKS).contains(&booted_after),
        "the boot took {booted_after} ticks: the partition table read of hdc did not time out as it must"
    );
    msg!("ata-stopped", "the boot went on after hdc's request timed out");
    let mut buffer = vec![0u8; 8 * SECTOR];
    let asked = timer::ticks();
    assert_eq!(block_on(stopped.read(0, &mut buffer)), Err(DiskError::Stopped));
    assert_eq!(block_on(stopped.write(8, &buffer)), Err(DiskError::Stopped));
    assert!(timer::ticks() - asked <= 1, "requests to a stopped disk must fail at once");
    msg!("ata-stopped", "hdc: later requests fail at once");
    write_and_verify(scratch(), 5, 8, 8);
    msg!("ata-stopped", "the primary channel still works");
}
