//! The trap router (xv6's `trap.c`): every interrupt, exception and system call enters the
//! kernel through `arch::idt`, which saves the interrupted state and hands it to
//! [`dispatch`]. Here each vector gets its meaning: a system call goes to `userprog`, a page
//! fault to `vm`, a device's interrupt to its driver, and any other exception kills the user
//! program that caused it or stops the kernel. The router also owns what happens on the way
//! out: acknowledging the interrupt controller and preempting the running thread.

mod exception;
mod irq;

use x86::Ring;

use crate::arch::acpi::Platform;
use crate::arch::cpu;
use crate::arch::idt::{self, Gate, InterruptFrame};
use crate::sync::off_time;
use crate::{threads, userprog};

/// Routes every vector (the devices' lines as `platform` wires them) and loads the IDT.
/// Boot-time, interrupts off.
pub fn init(platform: &Platform) {
    exception::route();
    idt::set_gate(rintos_abi::SYSCALL_VECTOR, Gate::Trap, Ring::Ring3);
    irq::route(platform);
    idt::init(dispatch);
}

/// Where `arch::idt` delivers every interrupt.
fn dispatch(frame: &mut InterruptFrame) {
    // An interrupt gate turned interrupts off on the way in (the system call's trap gate
    // did not); the way out turns them on again if the interrupted code had them on.
    let interrupted_with_interrupts_on = frame.eflags & EFLAGS_IF != 0;
    if interrupted_with_interrupts_on && !cpu::interrupts_enabled() {
        off_time::began();
    }
    route(frame);
    if interrupted_with_interrupts_on && !cpu::interrupts_enabled() {
        off_time::ending();
    }
}

const EFLAGS_IF: u32 = 1 << 9;

fn route(frame: &mut InterruptFrame) {
    match frame.vector {
        vector if vector == u32::from(rintos_abi::SYSCALL_VECTOR) => {
            userprog::syscall::handle(frame);
            threads::preempt_on_return(frame.from_user());
        }
        vector if irq::is_hardware(vector) => irq::dispatch(frame),
        _ => exception::dispatch(frame),
    }
}

/// The name of a vector, for messages such as "dying due to interrupt 0x0e (#PF ...)".
pub fn vector_name(vector: u32) -> &'static str {
    if vector == u32::from(rintos_abi::SYSCALL_VECTOR) {
        return "system call";
    }
    exception::name(vector).or_else(|| irq::name(vector)).unwrap_or("unknown")
}
