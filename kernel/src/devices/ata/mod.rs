//! The IDE (ATA) disk driver: two channels with up to two disks each (hda, hdb on the
//! primary channel; hdc, hdd on the secondary), 28-bit LBA, transfers by bus-master DMA
//! where the PCI IDE controller and the disk can, by PIO otherwise.
//!
//! At boot the disks are found by polling with the channel's interrupt disabled, and the
//! PCI IDE controller's bus-master engine (one per channel) is looked for. After that every
//! request is a future: it takes the channel (an [`AsyncMutex`], so requests on one channel
//! run one at a time while the two channels work independently), programs the registers,
//! and awaits the channel's interrupt, which the IRQ 14/15 handler signals through an
//! [`AtomicWaker`]. A thread waiting for its disk therefore sleeps, and every other thread
//! keeps the CPU. A DMA request is one command and one interrupt, whatever its size, and the
//! CPU copies nothing; a PIO request takes an interrupt per block of sectors and copies
//! each block through the data port.

mod dma;

use alloc::string::String;
use alloc::vec::Vec;
use core::arch::asm;
use core::fmt;
use core::future::poll_fn;
use core::pin::pin;
use core::sync::atomic::{AtomicBool, AtomicU16, AtomicU32, Ordering};
use core::task::Poll;

use bitflags::bitflags;
use futures_util::task::AtomicWaker;
use x86::io::{inb, outb};

use self::dma::{BUS_MASTER_PORTS_PER_CHANNEL, Controller, Engine, EngineCommand, EngineStatus, RegionTable};
pub use self::dma::{Mode, PioReason};
use super::timer::{self, TIMER_FREQ};
use crate::arch::locked_u64::LockedU64;
use crate::task::AsyncMutex;

pub const SECTOR_SIZE: usize = 512;

bitflags! {
    /// The status register (and the alternate status register, which reads the same without
    /// acknowledging an interrupt).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    struct Status: u8 {
        const BUSY = 0x80;
        const READY = 0x40;
        const FAULT = 0x20;
        const DATA_REQUEST = 0x08;
        const ERROR = 0x01;
    }

    /// The device control register.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    struct Control: u8 {
        const NO_INTERRUPT = 0x02;
        const RESET = 0x04;
    }
}

const COMMAND_READ: u8 = 0x20;
const COMMAND_WRITE: u8 = 0x30;
const COMMAND_READ_MULTIPLE: u8 = 0xC4;
const COMMAND_WRITE_MULTIPLE: u8 = 0xC5;
const COMMAND_SET_MULTIPLE: u8 = 0xC6;
const COMMAND_READ_DMA: u8 = 0xC8;
const COMMAND_WRITE_DMA: u8 = 0xCA;
const COMMAND_IDENTIFY: u8 = 0xEC;
/// Sectors per interrupt we ask for (a page): one interrupt, and one wake-up of the waiting
/// thread, per page instead of per sector.
const SECTORS_PER_BLOCK: u8 = 8;
/// Timer ticks to wait for a channel to come out of reset.
const RESET_TICKS: u64 = 10;
/// Status reads in one go before the driver lets a tick pass: a device that is ready shows
/// it within a few reads, and one that is not must not keep the CPU.
const POLLS_PER_TICK: u32 = 64;
/// Timer ticks a probe step (reset, IDENTIFY, SET MULTIPLE) may take.
const PROBE_TICKS: u64 = TIMER_FREQ;
/// Timer ticks a request may take, from the moment it holds the channel: a disk that has not
/// answered by then is taken for dead.
pub const REQUEST_TIMEOUT_TICKS: u64 = 5 * TIMER_FREQ;

/// Requests issued, those of them moved by DMA, and interrupts that completed a request or
/// a block of one (statistics).
pub static REQUESTS: LockedU64 = LockedU64::new(0);
pub static DMA_REQUESTS: LockedU64 = LockedU64::new(0);
pub static IRQ_WAKEUPS: LockedU64 = LockedU64::new(0);
/// DMA requests in flight now, and the most ever in flight at once (both engines busy: 2).
static DMA_IN_FLIGHT: AtomicU32 = AtomicU32::new(0);
pub static DMA_IN_FLIGHT_PEAK: AtomicU32 = AtomicU32::new(0);

/// Why a request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiskError {
    /// The device ended the command with its error (or fault) bit set.
    Device,
    /// The device did not answer within [`REQUEST_TIMEOUT_TICKS`].
    Timeout,
    /// An earlier request timed out: the disk is no longer used.
    Stopped,
}

impl fmt::Display for DiskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DiskError::Device => "the disk reported an error",
            DiskError::Timeout => "the disk did not answer",
            DiskError::Stopped => "the disk stopped answering earlier",
        })
    }
}

pub struct Channel {
    name: &'static str,
    command_base: u16,
    control: u16,
    pub irq: u8,
    busy: AsyncMutex,
    interrupted: AtomicBool,
    waiter: AtomicWaker,
    /// The ports of the channel's bus-master engine, or 0 while it may not use one (none
    /// found, `-ata=pio`, or a DMA request timed out on it).
    engine: AtomicU16,
    regions: RegionTable,
}

/// The interrupt lines of the primary and the secondary channel.
pub const IRQS: [u8; 2] = [14, 15];

pub static CHANNELS: [Channel; 2] = [
    Channel::new("ide0", 0x1F0, 0x3F6, IRQS[0]),
    Channel::new("ide1", 0x170, 0x376, IRQS[1]),
];

/// One disk found at boot.
pub struct Disk {
    pub name: &'static str,
    channel: &'static Channel,
    slave: bool,
    /// Sectors transferred per interrupt: `SECTORS_PER_BLOCK` with READ/WRITE MULTIPLE, or
    /// 1 with plain READ/WRITE SECTORS if the disk refused multiple mode.
    block: u8,
    /// IDENTIFY says the disk does DMA.
    pub dma: bool,
    pub sectors: u32,
    pub model: String,
    pub serial: String,
    /// A request timed out: every later one fails at once instead of waiting again.
    stopped: AtomicBool,
}

/// A status the driver waits for.
fn not_busy(status: Status) -> bool {
    !status.contains(Status::BUSY)
}

fn data_or_error(status: Status) -> bool {
    not_busy(status) && status.intersects(Status::DATA_REQUEST | Status::ERROR)
}

fn data_ready(status: Status) -> bool {
    not_busy(status) && status.contains(Status::DATA_REQUEST)
}

impl Channel {
    const fn new(name: &'static str, command_base: u16, control: u16, irq: u8) -> Channel {
        Channel {
            name,
            command_base,
            control,
            irq,
            busy: AsyncMutex::new(name),
            interrupted: AtomicBool::new(false),
            waiter: AtomicWaker::new(),
            engine: AtomicU16::new(0),
            regions: RegionTable::new(),
        }
    }

    fn register(&self, offset: u16) -> u16 {
        self.command_base + offset
    }

    fn status(&self) -> Status {
        // SAFETY: reading the status register (this also acknowledges the interrupt).
        Status::from_bits_retain(unsafe { inb(self.register(7)) })
    }

    fn alternate_status(&self) -> Status {
        // SAFETY: reading the alternate status register has no side effects.
        Status::from_bits_retain(unsafe { inb(self.control) })
    }

    /// About 400 ns: what a device needs after a select before its status is meaningful.
    fn settle(&self) {
        for _ in 0..4 {
            self.alternate_status();
        }
    }

    /// Reads the status up to [`POLLS_PER_TICK`] times; the first that satisfies `done`.
    fn poll_status(&self, done: fn(Status) -> bool) -> Option<Status> {
        (0..POLLS_PER_TICK).find_map(|_| {
            let status = self.alternate_status();
            core::hint::spin_loop();
            done(status).then_some(status)
        })
    }

    /// At boot (no channel lock, no request): waits for `done`, sleeping a tick between
    /// bursts of polls, for at most `ticks` ticks.
    fn wait_until(&self, done: fn(Status) -> bool, ticks: u64) -> Result<Status, DiskError> {
        let deadline = timer::ticks() + ticks;
        loop {
            if let Some(status) = self.poll_status(done) {
                return Ok(status);
            }
            if timer::ticks() >= deadline {
                return Err(DiskError::Timeout);
            }
            timer::sleep(1);
        }
    }

    /// In a request: waits for `done` as [`Channel::wait_until`] does, but as a future,
    /// until `deadline` (in ticks).
    async fn status_by(&self, done: fn(Status) -> bool, deadline: u64) -> Result<Status, DiskError> {
        loop {
            if let Some(status) = self.poll_status(done) {
                return Ok(status);
            }
            if timer::ticks() >= deadline {
                return Err(DiskError::Timeout);
            }
            crate::task::timer::sleep(1).await;
        }
    }

    fn select(&self, slave: bool, lba_top: u8) {
        // SAFETY: device/head register: LBA mode, master or slave, LBA bits 24-27.
        unsafe { outb(self.register(6), 0xE0 | (u8::from(slave) << 4) | (lba_top & 0x0F)) };
        self.settle();
    }

    /// Sector count, LBA low, mid and high: a device's identity after a reset.
    fn signature(&self) -> (u8, u8, u8, u8) {
        // SAFETY: reading the task-file registers.
        unsafe { (inb(self.register(2)), inb(self.register(3)), inb(self.register(4)), inb(self.register(5))) }
    }

    fn set_control(&self, control: Control) {
        // SAFETY: the device control register gates the channel's interrupt line and resets
        // the channel's devices; it touches nothing else.
        unsafe { outb(self.control, control.bits()) };
    }

    /// Finds the ATA disks on this channel (polling, interrupts masked at the device).
    fn probe(&'static self) -> [Option<Disk>; 2] {
        self.set_control(Control::RESET | Control::NO_INTERRUPT);
        self.settle();
        self.set_control(Control::NO_INTERRUPT);
        let mut disks = [None, None];
        // QEMU completes the reset a little later; until then the registers read as zero.
        // Wait (sleeping, a tick at a time) for the master's reset signature, or give up
        // after a few ticks: there may be no device at all.
        for _ in 0..RESET_TICKS {
            self.select(false, 0);
            if self.signature().0 == 1 || self.alternate_status().bits() == 0xFF {
                break;
            }
            timer::sleep(1);
        }
        let _ = self.wait_until(not_busy, PROBE_TICKS);
        // Both signatures first: a command's parameters written for one device land in the
        // task-file registers of both (SET MULTIPLE's block size would overwrite the other
        // device's signature count).
        let is_ata_disk = [false, true].map(|slave| {
            self.select(slave, 0);
            if self.wait_until(not_busy, PROBE_TICKS).is_err() {
                return false;
            }
            // After a reset an ATA disk shows the signature count=1, lba low=1, mid/high=0;
            // an ATAPI drive (QEMU's CD-ROM) shows mid/high 0x14/0xEB; nothing shows neither.
            self.signature() == (1, 1, 0, 0)
        });
        for (slot, slave) in [false, true].into_iter().enumerate() {
            if is_ata_disk[slot] {
                disks[slot] = self.identify(slave);
            }
        }
        self.set_control(Control::empty());
        disks
    }

    fn identify(&'static self, slave: bool) -> Option<Disk> {
        self.select(slave, 0);
        // SAFETY: issuing IDENTIFY DEVICE.
        unsafe { outb(self.register(7), COMMAND_IDENTIFY) };
        self.settle();
        let status = self.wait_until(data_or_error, PROBE_TICKS).ok()?;
        if status.contains(Status::ERROR) || !self.status().contains(Status::READY) {
            return None;
        }
        let mut identity = [0u8; SECTOR_SIZE];
        read_words(self.register(0), &mut identity);
        let words: [u16; 256] = core::array::from_fn(|i| u16::from_le_bytes([identity[2 * i], identity[2 * i + 1]]));
        let sectors = u32::from(words[60]) | (u32::from(words[61]) << 16);
        let name = match (self.name, slave) {
            ("ide0", false) => "hda",
            ("ide0", true) => "hdb",
            (_, false) => "hdc",
            (_, true) => "hdd",
        };
        let block = self.set_multiple_mode(slave, words[47] as u8);
        Some(Disk {
            name,
            channel: self,
            slave,
            block,
            dma: dma::does_dma(&words),
            sectors,
            model: ata_string(&words[27..47]),
            serial: ata_string(&words[10..20]),
            stopped: AtomicBool::new(false),
        })
    }

    /// Sector count, LBA, command: starts a request on the selected device.
    fn issue(&self, count: usize, lba: u32, command: u8) {
        // SAFETY: programming sector count and LBA, then issuing the command.
        unsafe {
            outb(self.register(2), count as u8); // 0 means 256
            outb(self.register(3), lba as u8);
            outb(self.register(4), (lba >> 8) as u8);
            outb(self.register(5), (lba >> 16) as u8);
            outb(self.register(7), command);
        }
    }

    /// Asks the disk to move `SECTORS_PER_BLOCK` sectors per interrupt, if IDENTIFY said it
    /// can (`max_block`, the low byte of word 47); returns the block size in use.
    fn set_multiple_mode(&self, slave: bool, max_block: u8) -> u8 {
        if max_block < SECTORS_PER_BLOCK {
            return 1;
        }
        self.select(slave, 0);
        // SAFETY: SET MULTIPLE MODE with the block size in the sector-count register.
        unsafe {
            outb(self.register(2), SECTORS_PER_BLOCK);
            outb(self.register(7), COMMAND_SET_MULTIPLE);
        }
        self.settle();
        match self.wait_until(not_busy, PROBE_TICKS) {
            Ok(status) if !status.contains(Status::ERROR) => SECTORS_PER_BLOCK,
            _ => 1,
        }
    }

    /// Completes once this channel has raised its interrupt since the last call, or fails
    /// once the tick count reaches `deadline`.
    async fn interrupt(&self, deadline: u64) -> Result<(), DiskError> {
        let mut alarm = pin!(crate::task::timer::sleep(deadline.saturating_sub(timer::ticks())));
        let result = poll_fn(|cx| {
            if self.interrupted.swap(false, Ordering::AcqRel) {
                return Poll::Ready(Ok(()));
            }
            // Register, then look again, so an interrupt in between is not lost.
            self.waiter.register(cx.waker());
            if self.interrupted.swap(false, Ordering::AcqRel) {
                return Poll::Ready(Ok(()));
            }
            alarm.as_mut().poll(cx).map(|()| Err(DiskError::Timeout))
        })
        .await;
        // The waker may still be registered (the interrupt came between the registration
        // and the second look, or never): a later interrupt of this channel must not wake
        // this thread while it waits for something else.
        self.waiter.take();
        result
    }

    /// The interrupt handler's half: acknowledge the device and wake the request.
    fn on_interrupt(&self) {
        self.status();
        self.interrupted.store(true, Ordering::Release);
        IRQ_WAKEUPS.fetch_add(1);
        self.waiter.wake();
    }
}

/// ATA identify strings are space-padded with the bytes of each word swapped.
fn ata_string(words: &[u16]) -> String {
    let mut text = String::new();
    for word in words {
        for byte in word.to_be_bytes() {
            text.push(if byte.is_ascii_graphic() || byte == b' ' { byte as char } else { '?' });
        }
    }
    String::from(text.trim())
}

/// Reads `bytes.len() / 2` data words into `bytes` (any alignment: x86 string I/O allows it).
fn read_words(port: u16, bytes: &mut [u8]) {
    // SAFETY: `rep insw` stores exactly `bytes.len() / 2` words at `bytes`, which we own.
    unsafe {
        asm!("rep insw", in("dx") port, inout("edi") bytes.as_mut_ptr() => _, inout("ecx") bytes.len() / 2 => _,
             options(nostack, preserves_flags));
    }
}

/// Writes `bytes.len() / 2` data words from `bytes`.
fn write_words(port: u16, bytes: &[u8]) {
    // SAFETY: `rep outsw` reads exactly `bytes.len() / 2` words from `bytes`. `esi` cannot be
    // named as an operand on i686, so it is swapped in and out around the instruction.
    unsafe {
        asm!("xchg {source}, esi", "rep outsw", "xchg {source}, esi",
             source = inout(reg) bytes.as_ptr() => _, in("dx") port, inout("ecx") bytes.len() / 2 => _,
             options(nostack, preserves_flags));
    }
}

enum Transfer<'a> {
    Read(&'a mut [u8]),
    Write(&'a [u8]),
}

impl Transfer<'_> {
    /// The buffer's address and length.
    fn span(&self) -> (usize, usize) {
        match self {
            Transfer::Read(buffer) => (buffer.as_ptr() as usize, buffer.len()),
            Transfer::Write(buffer) => (buffer.as_ptr() as usize, buffer.len()),
        }
    }
}

impl Disk {
    /// Reads `buffer.len() / 512` sectors starting at `lba`.
    pub async fn read(&self, lba: u32, buffer: &mut [u8]) -> Result<(), DiskError> {
        self.request(lba, Transfer::Read(buffer)).await
    }

    /// Writes `buffer.len() / 512` sectors starting at `lba`.
    pub async fn write(&self, lba: u32, buffer: &[u8]) -> Result<(), DiskError> {
        self.request(lba, Transfer::Write(buffer)).await
    }

    /// Holds the channel for one transfer; a disk that does not answer in time is reported
    /// once and never asked again (a reset would be the next step on real hardware; under
    /// QEMU, resetting a channel whose request never completes stalls the whole machine).
    async fn request(&self, lba: u32, transfer: Transfer<'_>) -> Result<(), DiskError> {
        let _busy = self.channel.busy.lock().await;
        if self.stopped.load(Ordering::Acquire) {
            return Err(DiskError::Stopped);
        }
        REQUESTS.fetch_add(1);
        let result = self.transfer(lba, transfer, timer::ticks() + REQUEST_TIMEOUT_TICKS).await;
        if result == Err(DiskError::Timeout) && !self.stopped.swap(true, Ordering::AcqRel) {
            crate::println!("{}: not answering after {} s; giving up on it", self.name, REQUEST_TIMEOUT_TICKS / TIMER_FREQ);
        }
        result
    }

    async fn transfer(&self, lba: u32, transfer: Transfer<'_>, deadline: u64) -> Result<(), DiskError> {
        let (address, length) = transfer.span();
        let count = length / SECTOR_SIZE;
        assert!(length % SECTOR_SIZE == 0 && (1..=256).contains(&count), "bad transfer of {length} bytes");
        assert!(lba.checked_add(count as u32).is_some_and(|end| end <= self.sectors), "sector {lba} beyond {}", self.name);
        let engine = self.channel.engine.load(Ordering::Acquire);
        // A region's address must be even; an odd buffer (a byte array on a stack, say)
        // goes by PIO, which takes any.
        if self.dma && engine != 0 && address % 2 == 0 {
            self.transfer_dma(lba, transfer, Engine(engine), deadline).await
        } else {
            self.transfer_pio(lba, transfer, deadline).await
        }
    }

    /// One command, one interrupt: the engine moves the whole buffer.
    async fn transfer_dma(&self, lba: u32, transfer: Transfer<'_>, engine: Engine, deadline: u64) -> Result<(), DiskError> {
        let (address, length) = transfer.span();
        let (command, direction) = match transfer {
            Transfer::Read(_) => (COMMAND_READ_DMA, EngineCommand::TO_MEMORY),
            Transfer::Write(_) => (COMMAND_WRITE_DMA, EngineCommand::empty()),
        };
        let channel = self.channel;
        channel.status_by(not_busy, deadline).await?;
        // SAFETY: `request` holds the channel, and its engine was stopped by the request
        // before (or never started): the table is ours.
        let table = unsafe { channel.regions.describe(address, length) };
        engine.prepare(table, direction);
        channel.select(self.slave, (lba >> 24) as u8);
        channel.interrupted.store(false, Ordering::Release);
        channel.issue(length / SECTOR_SIZE, lba, command);
        engine.start(direction);
        DMA_REQUESTS.fetch_add(1);
        let in_flight = DMA_IN_FLIGHT.fetch_add(1, Ordering::Relaxed) + 1;
        DMA_IN_FLIGHT_PEAK.fetch_max(in_flight, Ordering::Relaxed);
        let waited = channel.interrupt(deadline).await;
        DMA_IN_FLIGHT.fetch_sub(1, Ordering::Relaxed);
        if let Err(error) = waited {
            // The device still holds the request. Stopping the engine would end it on
            // real hardware, but QEMU first waits for the request to complete, and the
            // whole emulator with it (as with a reset): for a disk that never answers, for
            // good. So the engine is left running and the channel never uses DMA again.
            // The buffer goes back to its owner all the same: a disk that answered after
            // all would write into memory the kernel has reused.
            channel.engine.store(0, Ordering::Release);
            return Err(error);
        }
        let engine_status = engine.finish();
        let status = channel.alternate_status();
        if engine_status.contains(EngineStatus::ERROR) || status.intersects(Status::ERROR | Status::FAULT) {
            return Err(DiskError::Device);
        }
        Ok(())
    }

    /// One command, an interrupt per block of sectors, each block copied through the data
    /// port.
    async fn transfer_pio(&self, lba: u32, mut transfer: Transfer<'_>, deadline: u64) -> Result<(), DiskError> {
        let (_, length) = transfer.span();
        let channel = self.channel;
        channel.status_by(not_busy, deadline).await?;
        channel.select(self.slave, (lba >> 24) as u8);
        channel.interrupted.store(false, Ordering::Release);
        let multiple = self.block > 1;
        let command = match (&transfer, multiple) {
            (Transfer::Read(_), false) => COMMAND_READ,
            (Transfer::Read(_), true) => COMMAND_READ_MULTIPLE,
            (Transfer::Write(_), false) => COMMAND_WRITE,
            (Transfer::Write(_), true) => COMMAND_WRITE_MULTIPLE,
        };
        channel.issue(length / SECTOR_SIZE, lba, command);
        // The device moves the data in blocks of `self.block` sectors (the last may be shorter),
        // with one interrupt per block.
        let block_bytes = usize::from(self.block) * SECTOR_SIZE;
        for start in (0..length).step_by(block_bytes) {
            let range = start..(start + block_bytes).min(length);
            if let Transfer::Write(buffer) = &transfer {
                // The first block is requested without an interrupt; later ones follow the
                // interrupt that completed the previous block.
                let status = channel.status_by(data_or_error, deadline).await?;
                if status.contains(Status::ERROR) {
                    return Err(DiskError::Device);
                }
                write_words(channel.register(0), &buffer[range.clone()]);
            }
            channel.interrupt(deadline).await?;
            if channel.alternate_status().intersects(Status::ERROR | Status::FAULT) {
                return Err(DiskError::Device);
            }
            if let Transfer::Read(buffer) = &mut transfer {
                channel.status_by(data_ready, deadline).await?;
                read_words(channel.register(0), &mut buffer[range]);
            }
        }
        Ok(())
    }
}

/// What the probe found on one channel.
pub struct Probed {
    pub channel: &'static str,
    pub mode: Mode,
    pub disks: Vec<Disk>,
}

/// Finds every disk on both channels, and with `dma` the channels' bus-master engines.
pub fn probe(dma: bool) -> Vec<Probed> {
    let controller = if dma { dma::find_controller().ok_or(PioReason::NoController) } else { Err(PioReason::Asked) };
    CHANNELS
        .iter()
        .enumerate()
        .map(|(index, channel)| {
            let mode = match controller {
                Ok(Controller { simplex: true, .. }) if index > 0 => Mode::Pio(PioReason::Simplex),
                Ok(Controller { ports, .. }) => Mode::Dma(ports + index as u16 * BUS_MASTER_PORTS_PER_CHANNEL),
                Err(reason) => Mode::Pio(reason),
            };
            if let Mode::Dma(ports) = mode {
                channel.engine.store(ports, Ordering::Release);
            }
            let disks = channel.probe().into_iter().flatten().collect();
            Probed { channel: channel.name, mode, disks }
        })
        .collect()
}

/// IRQ 14 and 15.
pub fn interrupt(irq: u8) {
    if let Some(channel) = CHANNELS.iter().find(|channel| channel.irq == irq) {
        channel.on_interrupt();
    }
}
