//! Hardware interrupts: which device each line belongs to, the timer's fan-out to the
//! scheduler, the VM statistics and the timer futures, and the way out (acknowledge the
//! interrupt controller, then maybe preempt the interrupted thread).

use x86::Ring;

use crate::arch::cpu;
use crate::arch::idt::{self, Gate, InterruptFrame};
use crate::arch::pic::{self, IRQ_BASE};
use crate::devices::{ata, keyboard, serial, timer};
use crate::{task, threads, vm};

/// The lines that have a driver, by IRQ number.
const LINES: [(u8, &str); 5] = [
    (timer::IRQ, "8254 Timer"),
    (keyboard::IRQ, "8042 Keyboard"),
    (serial::IRQ, "16550A Serial"),
    (ata::IRQS[0], "ide0"),
    (ata::IRQS[1], "ide1"),
];

/// Opens a gate for all 16 lines of the interrupt controllers (a spurious IRQ 7 or 15 must
/// find one too) and unmasks the lines that have a driver.
pub(super) fn route() {
    for irq in 0..16 {
        idt::set_gate(IRQ_BASE + irq, Gate::Interrupt, Ring::Ring0);
    }
    for (irq, _) in LINES {
        pic::unmask(irq);
    }
}

pub(super) fn is_hardware(vector: u32) -> bool {
    (u32::from(IRQ_BASE)..u32::from(IRQ_BASE) + 16).contains(&vector)
}

pub(super) fn name(vector: u32) -> Option<&'static str> {
    LINES.iter().find(|(irq, _)| u32::from(IRQ_BASE + irq) == vector).map(|(_, name)| *name)
}

pub(super) fn dispatch(frame: &mut InterruptFrame) {
    let irq = (frame.vector - u32::from(IRQ_BASE)) as u8;
    cpu::set_in_external_interrupt(true);
    match irq {
        timer::IRQ => timer_tick(frame.from_user()),
        keyboard::IRQ => keyboard::interrupt(),
        serial::IRQ => serial::interrupt(),
        irq if ata::IRQS.contains(&irq) => ata::interrupt(irq),
        // A spurious interrupt (IRQ 7 or 15 with nothing behind it): nothing to do.
        _ => {}
    }
    cpu::set_in_external_interrupt(false);
    pic::end_of_interrupt(frame.vector as u8);
    threads::preempt_on_return(frame.from_user());
    debug_assert!(!cpu::interrupts_enabled());
}

/// IRQ 0: the time moves on for everyone who keeps time.
fn timer_tick(from_user: bool) {
    let tick = timer::interrupt();
    if let Some(slice) = tick.new_time_slice {
        threads::set_time_slice(slice);
    }
    threads::tick(from_user);
    vm::stats::on_tick(from_user);
    task::timer::expire(tick.now);
}
