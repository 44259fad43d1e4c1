//! Hardware interrupts: which device each line belongs to, the timer's fan-out to the
//! scheduler, the VM statistics and the timer futures, the interrupts CPUs send each other,
//! and the way out (acknowledge the local APIC, then maybe preempt the interrupted thread).
//!
//! The devices' lines reach the boot CPU through the I/O APIC on vectors 0x20 + IRQ; every
//! CPU's own timer interrupts on the timer's vector, 0x20.

use x86::Ring;

use crate::arch::acpi::Platform;
use crate::arch::apic::{self, RESCHEDULE_VECTOR, SPURIOUS_VECTOR, TLB_SHOOTDOWN_VECTOR};
use crate::arch::idt::{self, Gate, InterruptFrame};
use crate::arch::pic::IRQ_BASE;
use crate::arch::{cpu, percpu, tlb};
use crate::devices::{ata, keyboard, serial, timer};
use crate::{task, threads, vm};

/// The ISA lines that have a driver, by IRQ number.
const LINES: [(u8, &str); 5] = [
    (timer::IRQ, "8254 Timer"),
    (keyboard::IRQ, "8042 Keyboard"),
    (serial::IRQ, "16550A Serial"),
    (ata::IRQS[0], "ide0"),
    (ata::IRQS[1], "ide1"),
];

/// Opens a gate for the ISA vectors and the APIC's own, and routes the lines that have a
/// driver to the boot CPU.
pub(super) fn route(platform: &Platform) {
    for irq in 0..16 {
        idt::set_gate(IRQ_BASE + irq, Gate::Interrupt, Ring::Ring0);
    }
    for vector in [RESCHEDULE_VECTOR, TLB_SHOOTDOWN_VECTOR, SPURIOUS_VECTOR] {
        idt::set_gate(vector, Gate::Interrupt, Ring::Ring0);
    }
    for (irq, _) in LINES {
        apic::route_isa(platform.isa_route(irq), IRQ_BASE + irq);
    }
}

pub(super) fn is_hardware(vector: u32) -> bool {
    (u32::from(IRQ_BASE)..u32::from(IRQ_BASE) + 16).contains(&vector)
        || [RESCHEDULE_VECTOR, TLB_SHOOTDOWN_VECTOR, SPURIOUS_VECTOR].map(u32::from).contains(&vector)
}

pub(super) fn name(vector: u32) -> Option<&'static str> {
    match vector as u8 {
        RESCHEDULE_VECTOR => Some("reschedule IPI"),
        TLB_SHOOTDOWN_VECTOR => Some("TLB shootdown IPI"),
        SPURIOUS_VECTOR => Some("APIC spurious"),
        _ => LINES.iter().find(|(irq, _)| u32::from(IRQ_BASE + irq) == vector).map(|(_, name)| *name),
    }
}

pub(super) fn dispatch(frame: &mut InterruptFrame) {
    let vector = frame.vector as u8;
    if vector == SPURIOUS_VECTOR {
        // Nothing to acknowledge: the APIC sends it for an interrupt that went away.
        return;
    }
    percpu::set_in_external_interrupt(true);
    match vector {
        // Only a look at the ready queue, on the way out below.
        RESCHEDULE_VECTOR => {}
        TLB_SHOOTDOWN_VECTOR => tlb::on_shootdown(),
        _ => match vector - IRQ_BASE {
            timer::IRQ => timer_tick(frame.from_user()),
            keyboard::IRQ => keyboard::interrupt(),
            serial::IRQ => serial::interrupt(),
            irq if ata::IRQS.contains(&irq) => ata::interrupt(irq),
            _ => {}
        },
    }
    percpu::set_in_external_interrupt(false);
    apic::end_of_interrupt();
    threads::preempt_on_return(frame.from_user());
    debug_assert!(!cpu::interrupts_enabled());
}

/// A tick of this CPU's timer: the time moves on for everyone who keeps time.
fn timer_tick(from_user: bool) {
    let tick = timer::interrupt();
    if let Some(slice) = tick.new_time_slice {
        threads::set_time_slice(slice);
    }
    threads::tick(from_user);
    vm::stats::on_tick(from_user);
    if let Some(now) = tick.advanced_to {
        task::timer::expire(now);
    }
}
