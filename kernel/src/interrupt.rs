//! What happens after `arch::idt` has saved the interrupted state: hardware interrupts are
//! acknowledged and may end in a preemption; CPU exceptions either kill the user process
//! that caused them or stop the kernel.

use core::sync::atomic::{AtomicBool, Ordering};

use x86::Ring;

use crate::arch::idt::{self, Gate, Handler, InterruptFrame};
use crate::arch::{cpu, pic};
use crate::devices::{ata, keyboard, serial, timer};
use crate::threads;

static IN_EXTERNAL: AtomicBool = AtomicBool::new(false);

/// Whether the CPU is running a hardware interrupt handler (which must not sleep).
pub fn in_external_interrupt() -> bool {
    IN_EXTERNAL.load(Ordering::Relaxed)
}

const EXCEPTIONS: [(u8, &str); 18] = [
    (0, "#DE Divide Error"),
    (1, "#DB Debug Exception"),
    (2, "NMI Interrupt"),
    (3, "#BP Breakpoint Exception"),
    (4, "#OF Overflow Exception"),
    (5, "#BR BOUND Range Exceeded Exception"),
    (6, "#UD Invalid Opcode Exception"),
    (7, "#NM Device Not Available Exception"),
    (9, "Coprocessor Segment Overrun"),
    (10, "#TS Invalid TSS Exception"),
    (11, "#NP Segment Not Present"),
    (12, "#SS Stack Fault Exception"),
    (13, "#GP General Protection Exception"),
    (14, "#PF Page-Fault Exception"),
    (16, "#MF x87 FPU Floating-Point Error"),
    (17, "#AC Alignment Check Exception"),
    (18, "#MC Machine-Check Exception"),
    (19, "#XF SIMD Floating-Point Exception"),
];

/// Installs every handler and unmasks the devices' interrupt lines.
pub fn init() {
    for (vector, name) in EXCEPTIONS {
        // User code may raise #BP, #OF and #BR on purpose (int3, into, bound): DPL 3.
        let dpl = if matches!(vector, 3 | 4 | 5) { Ring::Ring3 } else { Ring::Ring0 };
        let handler: Handler = if vector == 14 { crate::vm::page_fault } else { exception };
        idt::register(vector, Gate::Interrupt, dpl, name, handler);
    }
    idt::register(rintos_abi::SYSCALL_VECTOR, Gate::Trap, Ring::Ring3, "system call", crate::userprog::syscall::handle);
    let irqs: [(u8, &str, Handler); 5] = [
        (timer::IRQ, "8254 Timer", timer::interrupt),
        (keyboard::IRQ, "8042 Keyboard", keyboard::interrupt),
        (serial::IRQ, "16550A Serial", serial::interrupt),
        (ata::CHANNELS[0].irq, "ide0", ata::interrupt),
        (ata::CHANNELS[1].irq, "ide1", ata::interrupt),
    ];
    for (irq, name, handler) in irqs {
        idt::register(pic::IRQ_BASE + irq, Gate::Interrupt, Ring::Ring0, name, handler);
        pic::unmask(irq);
    }
    idt::init();
    serial::enable_receive_interrupt();
}

fn is_external(vector: u32) -> bool {
    (u32::from(pic::IRQ_BASE)..u32::from(pic::IRQ_BASE) + 16).contains(&vector)
}

/// Runs the handler of an interrupt (called from `arch::idt`).
pub fn dispatch(frame: &mut InterruptFrame, handler: Handler) {
    if !is_external(frame.vector) {
        handler(frame);
        if frame.from_user() && frame.vector == u32::from(rintos_abi::SYSCALL_VECTOR) {
            threads::preempt_on_return(true);
        }
        return;
    }
    // Spurious IRQ 7/15 from the PIC: nothing to acknowledge.
    IN_EXTERNAL.store(true, Ordering::Relaxed);
    handler(frame);
    IN_EXTERNAL.store(false, Ordering::Relaxed);
    pic::end_of_interrupt(frame.vector as u8);
    threads::preempt_on_return(frame.from_user());
    debug_assert!(!cpu::interrupts_enabled());
}

/// A vector nobody registered.
pub fn unexpected(frame: &mut InterruptFrame) {
    if is_external(frame.vector) {
        pic::end_of_interrupt(frame.vector as u8);
        return;
    }
    exception(frame);
}

/// A CPU exception other than a page fault: the user process that caused it dies; in the
/// kernel it is a bug.
fn exception(frame: &mut InterruptFrame) {
    if frame.from_user() {
        crate::userprog::report_user_fault(frame, None);
        crate::userprog::exit(-1);
    }
    panic!(
        "Unexpected interrupt {:#04x} ({}) at eip={:#x} error={:#x}",
        frame.vector,
        idt::vector_name(frame.vector),
        frame.eip,
        frame.error_code
    );
}
