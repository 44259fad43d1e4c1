//! Bus-master DMA on a PCI IDE controller (the PIIX3/PIIX4 of QEMU's default machine): the
//! controller found on PCI at boot, each channel's engine (command, status, the address of
//! its region table), and the table that describes a request's buffer in physical memory.
//! The request path that uses them is in the parent module.

use core::cell::UnsafeCell;
use core::fmt;

use bitflags::bitflags;
use x86::io::{inb, outb, outl};

use crate::arch::layout::{DEVICE_WINDOW, virt_to_phys};
use crate::arch::pci::{self, Command};

bitflags! {
    /// A channel's bus-master command register.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub(super) struct EngineCommand: u8 {
        const START = 0x01;
        /// The engine writes memory: the direction of a read from the disk.
        const TO_MEMORY = 0x08;
    }

    /// A channel's bus-master status register. ERROR and INTERRUPT stay set until a 1 is
    /// written to them; the two DMA-capable bits are the firmware's notes, kept as they are.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub(super) struct EngineStatus: u8 {
        const ACTIVE = 0x01;
        const ERROR = 0x02;
        const INTERRUPT = 0x04;
        const MASTER_CAPABLE = 0x20;
        const SLAVE_CAPABLE = 0x40;
        /// The controller cannot run both channels' engines at once.
        const SIMPLEX = 0x80;
    }
}

/// PCI class, subclass and programming-interface bits of an IDE controller this driver can
/// use for DMA: mass storage, IDE, with bus mastering (bit 7), both channels at the legacy
/// ports the driver talks to (bits 0 and 2 clear: not in native PCI mode).
const IDE_CLASS: (u8, u8) = (0x01, 0x01);
const INTERFACE_BUS_MASTER: u8 = 0x80;
const INTERFACE_NATIVE: u8 = 0x05;
/// The base address register that holds the bus-master ports: 8 per channel, primary first.
const BUS_MASTER_BAR: u8 = 4;
pub(super) const BUS_MASTER_PORTS_PER_CHANNEL: u16 = 8;

/// One physical region descriptor: a run of physically contiguous memory that the engine
/// moves, in the layout the controller reads from memory.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
struct Region {
    address: u32,
    /// Bytes, even; 0 means 64 KiB.
    bytes: u16,
    /// [`LAST_REGION`] on the table's last entry.
    flags: u16,
}

const LAST_REGION: u16 = 0x8000;
/// A region may not cross a 64 KiB boundary of physical memory (the engine counts the low 16
/// bits of the address).
const REGION_LIMIT: usize = 0x1_0000;
/// A request moves at most 256 sectors (128 KiB), which cross at most two 64 KiB boundaries.
const REGIONS: usize = 4;

/// A channel's region table. 32 bytes aligned to 32: the controller wants it 4-byte aligned
/// and within one 64 KiB page, and an aligned power of two never crosses a larger one.
#[repr(C, align(32))]
pub(super) struct RegionTable(UnsafeCell<[Region; REGIONS]>);

// SAFETY: the table is written only by the request that holds its channel's lock, before it
// starts the engine, and read only by the controller while that request waits.
unsafe impl Sync for RegionTable {}

impl RegionTable {
    pub(super) const fn new() -> RegionTable {
        RegionTable(UnsafeCell::new([Region { address: 0, bytes: 0, flags: 0 }; REGIONS]))
    }

    /// Describes the `length` bytes at kernel address `address` and returns the table's
    /// physical address.
    ///
    /// # Safety
    /// The caller holds the table's channel and that channel's engine is stopped: nobody
    /// else reads or writes the table.
    pub(super) unsafe fn describe(&self, address: usize, length: usize) -> u32 {
        // Every kernel address of RAM is in the direct map, which maps physical memory in
        // one piece: a buffer contiguous in the kernel's address space is contiguous in
        // physical memory, whatever pages it spans (a frame, heap bytes, a stack), so the
        // regions need to break only at 64 KiB boundaries.
        assert!(address.checked_add(length).is_some_and(|end| end <= DEVICE_WINDOW), "DMA buffer outside the direct map");
        let start = virt_to_phys(address);
        // SAFETY: the caller's promise: nobody else uses the table now.
        let table = unsafe { &mut *self.0.get() };
        let mut used = 0;
        let mut at = start;
        while at < start + length {
            let end = (at / REGION_LIMIT + 1) * REGION_LIMIT;
            let end = end.min(start + length);
            table[used] = Region { address: at as u32, bytes: (end - at) as u16, flags: 0 };
            used += 1;
            at = end;
        }
        table[used - 1].flags = LAST_REGION;
        virt_to_phys(self.0.get() as usize) as u32
    }
}

/// A channel's bus-master registers: command, status, and the region table's address.
#[derive(Clone, Copy, Debug)]
pub(super) struct Engine(pub(super) u16);

impl Engine {
    fn status(self) -> EngineStatus {
        // SAFETY: reading the bus-master status register has no side effects.
        EngineStatus::from_bits_retain(unsafe { inb(self.0 + 2) })
    }

    /// Loads the table and the direction, and clears what the last request left in the
    /// status, with the engine stopped.
    pub(super) fn prepare(self, table: u32, direction: EngineCommand) {
        let status = self.status();
        // SAFETY: the engine is stopped (the last request stopped it, or none ran), so its
        // table address and direction may change; writing the status back clears exactly
        // the ERROR and INTERRUPT bits that are set and keeps the firmware's bits.
        unsafe {
            outb(self.0, direction.bits());
            outb(self.0 + 2, status.bits());
            outl(self.0 + 4, table);
        }
    }

    pub(super) fn start(self, direction: EngineCommand) {
        // SAFETY: the table describes the request's buffer, which the request keeps
        // borrowed until the engine has stopped.
        unsafe { outb(self.0, (direction | EngineCommand::START).bits()) };
    }

    /// After the request's interrupt: reads the status, clears its ERROR and INTERRUPT
    /// bits, and stops the engine.
    pub(super) fn finish(self) -> EngineStatus {
        let status = self.status();
        // SAFETY: the device has ended the request, so stopping the engine loses nothing.
        unsafe {
            outb(self.0 + 2, status.bits());
            outb(self.0, 0);
        }
        status
    }
}

/// The PCI IDE controller's bus-master engines, found at boot.
#[derive(Clone, Copy, Debug)]
pub(super) struct Controller {
    pub(super) ports: u16,
    pub(super) simplex: bool,
}

/// Finds a PCI IDE controller that does bus mastering on the legacy channels, turns its
/// bus mastering on, and says where its engines are.
pub(super) fn find_controller() -> Option<Controller> {
    let function = pci::find(|_, class| {
        (class.class, class.subclass) == IDE_CLASS
            && class.interface & INTERFACE_BUS_MASTER != 0
            && class.interface & INTERFACE_NATIVE == 0
    })?;
    let bar = function.bar(BUS_MASTER_BAR);
    // Bit 0 set: an I/O range; a base of 0: the firmware gave it no ports.
    let ports = (bar & 0xFFFC) as u16;
    if bar & 1 == 0 || ports == 0 {
        return None;
    }
    function.enable(Command::IO_SPACE | Command::BUS_MASTER);
    Some(Controller { ports, simplex: Engine(ports).status().contains(EngineStatus::SIMPLEX) })
}

/// How a channel moves data (the boot message says it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Bus-master DMA, its engine's registers at these ports.
    Dma(u16),
    Pio(PioReason),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PioReason {
    /// `-ata=pio`.
    Asked,
    /// No PCI IDE controller with bus mastering on the legacy channels.
    NoController,
    /// The controller runs one engine at a time; the primary channel has it.
    Simplex,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mode::Dma(ports) => write!(f, "bus-master DMA (engine at I/O port {ports:#x})"),
            Mode::Pio(PioReason::Asked) => f.write_str("PIO (-ata=pio)"),
            Mode::Pio(PioReason::NoController) => f.write_str("PIO (no PCI IDE controller with bus mastering)"),
            Mode::Pio(PioReason::Simplex) => f.write_str("PIO (the controller does DMA on one channel only)"),
        }
    }
}

/// Whether IDENTIFY's words say the disk does DMA: word 49 bit 8, and a multiword DMA mode
/// (word 63) or, where word 53 says word 88 is valid, an Ultra DMA mode. The firmware's
/// choice of mode stays: under QEMU any works, and the driver does not tune timings.
pub(super) fn does_dma(words: &[u16; 256]) -> bool {
    let capable = words[49] & (1 << 8) != 0;
    let multiword = words[63] & 0x07 != 0;
    let ultra = words[53] & (1 << 2) != 0 && words[88] & 0x7F != 0;
    capable && (multiword || ultra)
}
