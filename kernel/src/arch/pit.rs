//! The 8254 programmable interval timer: channel 0 drives IRQ 0 at a fixed rate.

use x86::io::outb;

const INPUT_HZ: u32 = 1_193_182;
const CHANNEL0_DATA: u16 = 0x40;
const MODE_COMMAND: u16 = 0x43;

/// Programs channel 0 to interrupt `hz` times a second.
pub fn init(hz: u32) {
    let divisor = ((INPUT_HZ + hz / 2) / hz) as u16;
    // SAFETY: channel 0, lobyte/hibyte access, mode 2 (rate generator), binary counting;
    // then the count, low byte first.
    unsafe {
        outb(MODE_COMMAND, 0x34);
        outb(CHANNEL0_DATA, (divisor & 0xFF) as u8);
        outb(CHANNEL0_DATA, (divisor >> 8) as u8);
    }
}
