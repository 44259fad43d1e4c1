//! Leaving the machine: QEMU's isa-debug-exit device (port 0xF4) turns a byte V into the
//! exit status (V << 1) | 1 of QEMU itself, which is how the runner learns the outcome.

use x86::io::outb;

use crate::arch::cpu;

const DEBUG_EXIT_PORT: u16 = 0xF4;
/// QEMU exits with status 99 (0x63): the classic "clean power-off" status.
const CLEAN: u8 = 0x31;
/// QEMU exits with status 3: a kernel panic or another fatal error.
const FAILURE: u8 = 0x01;

/// Ends the machine after a clean shutdown.
pub fn power_off() -> ! {
    exit_qemu(CLEAN)
}

/// Ends the machine after a panic.
pub fn fail() -> ! {
    exit_qemu(FAILURE)
}

fn exit_qemu(code: u8) -> ! {
    cpu::disable_interrupts();
    // SAFETY: writing to the debug-exit port stops QEMU; on a machine without it the write
    // is ignored and we halt below.
    unsafe { outb(DEBUG_EXIT_PORT, code) };
    // The exit is asynchronous under TCG: stay here until QEMU is gone.
    cpu::halt_forever()
}
