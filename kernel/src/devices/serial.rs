//! The first serial port (COM1), where QEMU's `-serial stdio` connects the console.
//! Output is polled (it never waits long under QEMU); input arrives by interrupt (IRQ 4)
//! and goes to the input queue.

use core::sync::atomic::{AtomicU16, Ordering};

use x86::io::{inb, outb};


const PORT: u16 = 0x3F8;
const DATA: u16 = PORT;
const INTERRUPT_ENABLE: u16 = PORT + 1;
const FIFO_CONTROL: u16 = PORT + 2;
const LINE_CONTROL: u16 = PORT + 3;
const MODEM_CONTROL: u16 = PORT + 4;
const LINE_STATUS: u16 = PORT + 5;
const LINE_STATUS_DATA_READY: u8 = 0x01;
const LINE_STATUS_TRANSMIT_EMPTY: u8 = 0x20;
/// IRQ line of COM1.
pub const IRQ: u8 = 4;

/// A byte that arrived before the kernel set the port up (input piped into QEMU is there
/// at once): turning the FIFOs on would discard it, so it is kept here for the input queue.
static EARLY_BYTE: AtomicU16 = AtomicU16::new(NO_BYTE);
const NO_BYTE: u16 = 0x100;

/// 115200 baud, 8N1, FIFOs on, receive interrupts on.
pub fn init() {
    // SAFETY: standard 16550 UART programming on COM1's ports.
    unsafe {
        if inb(LINE_STATUS) & LINE_STATUS_DATA_READY != 0 {
            EARLY_BYTE.store(u16::from(inb(DATA)), Ordering::Relaxed);
        }
        outb(INTERRUPT_ENABLE, 0x00);
        outb(LINE_CONTROL, 0x80); // divisor latch access
        outb(DATA, 0x01); // divisor 1 = 115200 baud
        outb(INTERRUPT_ENABLE, 0x00);
        outb(LINE_CONTROL, 0x03); // 8 bits, no parity, one stop bit
        outb(FIFO_CONTROL, 0xC7);
        outb(MODEM_CONTROL, 0x0B); // DTR, RTS, OUT2 (OUT2 gates the interrupt line)
    }
}

/// Turns on the receive interrupt once its handler is installed (and the input queue exists).
pub fn enable_receive_interrupt() {
    let early = EARLY_BYTE.swap(NO_BYTE, Ordering::Relaxed);
    if early != NO_BYTE {
        super::input::push(early as u8);
    }
    // SAFETY: enabling "data available" interrupts on COM1.
    unsafe { outb(INTERRUPT_ENABLE, 0x01) };
}

/// Sends one byte, waiting for room in the transmitter.
pub fn put_byte(byte: u8) {
    // SAFETY: polling the line status and writing the data port of COM1.
    unsafe {
        while inb(LINE_STATUS) & LINE_STATUS_TRANSMIT_EMPTY == 0 {
            core::hint::spin_loop();
        }
        outb(DATA, byte);
    }
}

/// IRQ 4: move every received byte to the input queue.
pub fn interrupt() {
    // SAFETY: reading COM1's status and data registers.
    unsafe {
        while inb(LINE_STATUS) & LINE_STATUS_DATA_READY != 0 {
            let byte = inb(DATA);
            // Terminals send carriage return for Enter; programs expect newline.
            super::input::push(if byte == b'\r' { b'\n' } else { byte });
        }
    }
}
