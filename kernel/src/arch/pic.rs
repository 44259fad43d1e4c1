//! The two 8259A programmable interrupt controllers, remapped so that hardware interrupts
//! 0-15 arrive on vectors 0x20-0x2F instead of colliding with CPU exceptions.

use x86::io::{inb, outb};

/// Vector of IRQ 0.
pub const IRQ_BASE: u8 = 0x20;
const MASTER_COMMAND: u16 = 0x20;
const MASTER_DATA: u16 = 0x21;
const SLAVE_COMMAND: u16 = 0xA0;
const SLAVE_DATA: u16 = 0xA1;
const END_OF_INTERRUPT: u8 = 0x20;

/// Remaps both controllers and masks every line; drivers unmask what they use.
pub fn init() {
    // SAFETY: the standard initialization sequence of the PC's 8259 pair.
    unsafe {
        outb(MASTER_DATA, 0xFF);
        outb(SLAVE_DATA, 0xFF);
        outb(MASTER_COMMAND, 0x11); // ICW1: edge triggered, cascade, ICW4 follows
        outb(MASTER_DATA, IRQ_BASE); // ICW2: vector base
        outb(MASTER_DATA, 0x04); // ICW3: slave on IRQ 2
        outb(MASTER_DATA, 0x01); // ICW4: 8086 mode
        outb(SLAVE_COMMAND, 0x11);
        outb(SLAVE_DATA, IRQ_BASE + 8);
        outb(SLAVE_DATA, 0x02); // ICW3: cascade identity
        outb(SLAVE_DATA, 0x01);
        outb(MASTER_DATA, 0xFB); // everything masked except the cascade line
        outb(SLAVE_DATA, 0xFF);
    }
}

/// Lets `irq` through.
pub fn unmask(irq: u8) {
    let (port, bit) = if irq < 8 { (MASTER_DATA, irq) } else { (SLAVE_DATA, irq - 8) };
    // SAFETY: read-modify-write of the interrupt mask; callers run at boot with interrupts off.
    unsafe { outb(port, inb(port) & !(1 << bit)) };
}

/// Tells the controllers that the handler of `vector` is done, so they deliver the next one.
pub fn end_of_interrupt(vector: u8) {
    // SAFETY: writing EOI to the controllers that raised the interrupt.
    unsafe {
        if vector >= IRQ_BASE + 8 {
            outb(SLAVE_COMMAND, END_OF_INTERRUPT);
        }
        outb(MASTER_COMMAND, END_OF_INTERRUPT);
    }
}
