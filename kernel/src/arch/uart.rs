//! The first serial port (COM1), a 16550 UART, where QEMU's `-serial stdio` connects the
//! console: its registers only. Output is polled (it never waits long under QEMU); what
//! arrives is taken by the serial driver (`devices::serial`) when the port interrupts.

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

/// Sets the port up: 115200 baud, 8N1, no interrupts yet. The FIFOs stay off: turning
/// them on empties them, and input piped into QEMU is already arriving (QEMU holds the
/// rest of it until the port's one-byte receive register is read, so nothing is lost
/// without them).
pub fn init() {
    // SAFETY: standard 16550 UART programming on COM1's ports.
    unsafe {
        outb(INTERRUPT_ENABLE, 0x00);
        outb(LINE_CONTROL, 0x80); // divisor latch access
        outb(DATA, 0x01); // divisor 1 = 115200 baud
        outb(INTERRUPT_ENABLE, 0x00);
        outb(LINE_CONTROL, 0x03); // 8 bits, no parity, one stop bit
        outb(FIFO_CONTROL, 0x00);
        outb(MODEM_CONTROL, 0x0B); // DTR, RTS, OUT2 (OUT2 gates the interrupt line)
    }
}

/// Lets the port interrupt when a byte arrives.
pub fn enable_receive_interrupt() {
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

/// The next byte received, if one is waiting.
pub fn received() -> Option<u8> {
    // SAFETY: reading COM1's status and data registers.
    unsafe { (inb(LINE_STATUS) & LINE_STATUS_DATA_READY != 0).then(|| inb(DATA)) }
}
