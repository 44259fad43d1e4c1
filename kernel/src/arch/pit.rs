//! The 8254 programmable interval timer: channel 0 drives IRQ 0 at a fixed rate.

use x86::io::outb;

const INPUT_HZ: u32 = 1_193_182;
const CHANNEL0_DATA: u16 = 0x40;
const MODE_COMMAND: u16 = 0x43;

/// Programs channel 0 to interrupt `hz` times a second; returns the divisor it uses.
pub fn init(hz: u32) -> u16 {
    let divisor = ((INPUT_HZ + hz / 2) / hz) as u16;
    // SAFETY: channel 0, lobyte/hibyte access, mode 2 (rate generator), binary counting.
    unsafe { outb(MODE_COMMAND, 0x34) };
    set_divisor(divisor);
    divisor
}

/// Changes channel 0's period to `divisor` input clocks, from the end of the current one
/// (a rate generator loads a new count only when the old one runs out).
pub fn set_divisor(divisor: u16) {
    // SAFETY: the mode set by `init` takes the count as low byte, then high byte.
    unsafe {
        outb(CHANNEL0_DATA, (divisor & 0xFF) as u8);
        outb(CHANNEL0_DATA, (divisor >> 8) as u8);
    }
}
