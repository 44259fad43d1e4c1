//! Input from the serial port (IRQ 4): every byte that arrives goes to the input queue.
//! (Output goes to the port through the console, `arch::uart`.)

use core::sync::atomic::{AtomicU16, Ordering};

use crate::arch::uart;

/// IRQ line of COM1.
pub const IRQ: u8 = 4;

/// A byte that arrived before the port was set up, kept for the input queue.
static EARLY_BYTE: AtomicU16 = AtomicU16::new(NO_BYTE);
const NO_BYTE: u16 = 0x100;

/// Keeps the byte the console found waiting when it set the port up.
pub fn keep_early_byte(byte: Option<u8>) {
    if let Some(byte) = byte {
        EARLY_BYTE.store(u16::from(byte), Ordering::Relaxed);
    }
}

/// Turns on the receive interrupt once its handler is installed (and the input queue exists).
pub fn enable_receive_interrupt() {
    let early = EARLY_BYTE.swap(NO_BYTE, Ordering::Relaxed);
    if early != NO_BYTE {
        super::input::push(early as u8);
    }
    uart::enable_receive_interrupt();
}

/// IRQ 4: move every received byte to the input queue.
pub fn interrupt() {
    while let Some(byte) = uart::received() {
        // Terminals send carriage return for Enter; programs expect newline.
        super::input::push(if byte == b'\r' { b'\n' } else { byte });
    }
}
