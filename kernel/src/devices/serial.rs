//! Input from the serial port (IRQ 4): every byte that arrives goes to the input queue.
//! (Output goes to the port through the console, `arch::uart`.)

use crate::arch::uart;

/// IRQ line of COM1.
pub const IRQ: u8 = 4;

/// Turns on the receive interrupt once its handler is installed (and the input queue
/// exists); a byte that arrived before is taken at once.
pub fn enable_receive_interrupt() {
    uart::enable_receive_interrupt();
    interrupt();
}

/// IRQ 4: move every received byte to the input queue.
pub fn interrupt() {
    while let Some(byte) = uart::received() {
        // Terminals send carriage return for Enter; programs expect newline.
        super::input::push(if byte == b'\r' { b'\n' } else { byte });
    }
}
