//! PCI configuration space through configuration mechanism #1 (an address written to port
//! 0xCF8, the register read or written at 0xCFC), and a search of the buses for a function.
//! Only what the IDE driver needs to find its bus-master controller: a function's class, a
//! base address register, and the command register's enable bits.
//!
//! An access is two port operations that must not be interleaved with another access. Only
//! the boot thread uses configuration space, once, while it probes the disks; no interrupt
//! handler touches it, so there is no lock.

use x86::io::{inl, outl, outw};

const CONFIG_ADDRESS: u16 = 0xCF8;
const CONFIG_DATA: u16 = 0xCFC;

/// Register offsets of the common header.
const VENDOR: u8 = 0x00;
const COMMAND: u8 = 0x04;
const CLASS: u8 = 0x08;
const HEADER_TYPE: u8 = 0x0C;
const BARS: u8 = 0x10;
/// A PCI-to-PCI bridge's bus numbers: primary, secondary, subordinate.
const BRIDGE_BUSES: u8 = 0x18;

/// No function answers at an address whose vendor reads as all ones.
const NO_VENDOR: u16 = 0xFFFF;
/// Header type bit 7: the device has functions 1 to 7 as well.
const MULTI_FUNCTION: u8 = 0x80;
/// Class 0x06, subclass 0x04: a PCI-to-PCI bridge, behind which another bus lies.
const BRIDGE_CLASS: (u8, u8) = (0x06, 0x04);

bitflags::bitflags! {
    /// The bits of the command register that the kernel sets.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Command: u16 {
        /// The function answers in I/O space (its I/O base address registers are live).
        const IO_SPACE = 0x0001;
        /// The function may master the bus: read and write memory on its own (DMA).
        const BUS_MASTER = 0x0004;
    }
}

/// One function of one device on one bus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Function {
    pub bus: u8,
    pub device: u8,
    pub function: u8,
}

/// A function's class code: class, subclass and programming interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Class {
    pub class: u8,
    pub subclass: u8,
    pub interface: u8,
}

impl Function {
    /// The configuration address of the 32-bit register that holds byte `offset`.
    fn address(self, offset: u8) -> u32 {
        0x8000_0000
            | u32::from(self.bus) << 16
            | u32::from(self.device & 0x1F) << 11
            | u32::from(self.function & 0x07) << 8
            | u32::from(offset & 0xFC)
    }

    fn read32(self, offset: u8) -> u32 {
        // SAFETY: selecting a configuration register and reading it has no effect beyond
        // the read (the registers read here have no read side effects).
        unsafe {
            outl(CONFIG_ADDRESS, self.address(offset));
            inl(CONFIG_DATA)
        }
    }

    fn vendor(self) -> u16 {
        self.read32(VENDOR) as u16
    }

    pub fn class(self) -> Class {
        let register = self.read32(CLASS);
        Class { class: (register >> 24) as u8, subclass: (register >> 16) as u8, interface: (register >> 8) as u8 }
    }

    fn header_type(self) -> u8 {
        (self.read32(HEADER_TYPE) >> 16) as u8
    }

    /// Base address register `index` (0 to 5), as it reads: for an I/O range, the port
    /// number with bit 0 set.
    pub fn bar(self, index: u8) -> u32 {
        self.read32(BARS + 4 * index)
    }

    /// Sets `bits` in the command register, keeping the others.
    pub fn enable(self, bits: Command) {
        let command = self.read32(COMMAND) as u16 | bits.bits();
        // SAFETY: a 16-bit write of the command register alone: the status register beside
        // it has bits that a write of 1 clears, which a 32-bit write would touch.
        unsafe {
            outl(CONFIG_ADDRESS, self.address(COMMAND));
            outw(CONFIG_DATA + u16::from(COMMAND & 0x02), command);
        }
    }
}

/// The first function, in bus order, for which `wanted` is true: bus 0 and every bus behind
/// a PCI-to-PCI bridge.
pub fn find(mut wanted: impl FnMut(Function, Class) -> bool) -> Option<Function> {
    search(0, &mut wanted)
}

fn search(bus: u8, wanted: &mut dyn FnMut(Function, Class) -> bool) -> Option<Function> {
    for device in 0..32 {
        let first = Function { bus, device, function: 0 };
        if first.vendor() == NO_VENDOR {
            continue;
        }
        let functions = if first.header_type() & MULTI_FUNCTION != 0 { 8 } else { 1 };
        for function in 0..functions {
            let candidate = Function { bus, device, function };
            if candidate.vendor() == NO_VENDOR {
                continue;
            }
            let class = candidate.class();
            if wanted(candidate, class) {
                return Some(candidate);
            }
            if (class.class, class.subclass) == BRIDGE_CLASS {
                let secondary = (candidate.read32(BRIDGE_BUSES) >> 8) as u8;
                // A bus behind a bridge has a higher number; anything else is a firmware
                // that did not number the buses, and following it could loop.
                if secondary > bus
                    && let Some(found) = search(secondary, wanted)
                {
                    return Some(found);
                }
            }
        }
    }
    None
}
