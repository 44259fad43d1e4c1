//! The two 8259A programmable interrupt controllers. Rintos delivers device interrupts
//! through the I/O APIC, so the PICs are only remapped away from the CPU exceptions (a
//! spurious interrupt from them must not look like one) and masked for good.

use x86::io::outb;

/// Vector of ISA IRQ 0; the I/O APIC delivers the ISA lines on the same vectors.
pub const IRQ_BASE: u8 = 0x20;
const MASTER_COMMAND: u16 = 0x20;
const MASTER_DATA: u16 = 0x21;
const SLAVE_COMMAND: u16 = 0xA0;
const SLAVE_DATA: u16 = 0xA1;

/// Remaps both controllers and masks every line.
pub fn disable() {
    // SAFETY: the standard initialization sequence of the PC's 8259 pair, then all masked.
    unsafe {
        outb(MASTER_COMMAND, 0x11); // ICW1: edge triggered, cascade, ICW4 follows
        outb(MASTER_DATA, IRQ_BASE); // ICW2: vector base
        outb(MASTER_DATA, 0x04); // ICW3: slave on IRQ 2
        outb(MASTER_DATA, 0x01); // ICW4: 8086 mode
        outb(SLAVE_COMMAND, 0x11);
        outb(SLAVE_DATA, IRQ_BASE + 8);
        outb(SLAVE_DATA, 0x02); // ICW3: cascade identity
        outb(SLAVE_DATA, 0x01);
        outb(MASTER_DATA, 0xFF);
        outb(SLAVE_DATA, 0xFF);
    }
}
