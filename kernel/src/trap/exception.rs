//! CPU exceptions. A page fault in a user program goes to the VM, which resolves it or says
//! why it cannot; any other exception of a user program, and a fault the VM cannot resolve,
//! kill the program with `exit(-1)` after the classic report. An exception in the kernel is
//! a bug: the kernel panics.

use x86::Ring;
use x86::irq::PageFaultError;

use crate::arch::cpu;
use crate::arch::idt::{self, Gate, InterruptFrame};
use crate::vm::{self, FaultError};
use crate::{println, userprog};

const PAGE_FAULT: u32 = 14;

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

/// Opens a gate for every exception.
pub(super) fn route() {
    for (vector, _) in EXCEPTIONS {
        // User code may raise #BP, #OF and #BR on purpose (int3, into, bound): DPL 3.
        let dpl = if matches!(vector, 3 | 4 | 5) { Ring::Ring3 } else { Ring::Ring0 };
        idt::set_gate(vector, Gate::Interrupt, dpl);
    }
}

pub(super) fn name(vector: u32) -> Option<&'static str> {
    if vector == 8 {
        return Some("#DF Double Fault Exception");
    }
    EXCEPTIONS.iter().find(|(v, _)| u32::from(*v) == vector).map(|(_, name)| *name)
}

pub(super) fn dispatch(frame: &mut InterruptFrame) {
    if frame.vector == PAGE_FAULT {
        return page_fault(frame);
    }
    if frame.from_user() {
        kill(frame, None);
    }
    panic!(
        "Unexpected interrupt {:#04x} ({}) at eip={:#x} error={:#x}",
        frame.vector,
        super::vector_name(frame.vector),
        frame.eip,
        frame.error_code
    );
}

/// Vector 14: decodes the fault and lets the VM resolve it.
fn page_fault(frame: &mut InterruptFrame) {
    let started = cpu::rdtsc();
    let address = cpu::cr2();
    let error = PageFaultError::from_bits_truncate(frame.error_code);
    vm::stats::count_exception();
    // CR2 is safe in a local now; the rest of the fault may sleep.
    crate::sync::off_time::ending();
    cpu::enable_interrupts();
    let write = error.contains(PageFaultError::WR);
    let process = userprog::current_process();
    let Some(process) = process.filter(|_| frame.from_user()) else {
        panic!(
            "page fault in the kernel at {address:#x} ({} access, eip={:#x}): the kernel must not touch user memory outside vm::usermem",
            if write { "write" } else { "read" },
            frame.eip
        );
    };
    match vm::handle_fault(process.space(), address, write, frame.user_esp as usize, started) {
        Ok(()) => return,
        Err(FaultError::BadAddress) => {}
        Err(FaultError::OutOfFrames) => {
            println!("{}: killed: no frame can be freed (swap is full or every frame is busy)", process.name())
        }
        Err(FaultError::OutOfKernelMemory) => {
            println!("{}: killed: out of kernel memory for a page table", process.name())
        }
        Err(FaultError::SwapReadFailed) => println!("{}: killed: a page of it was lost (swap read failed)", process.name()),
        Err(FaultError::FileReadFailed) => println!("{}: killed: a page of its file could not be read", process.name()),
    }
    // `kill` never returns: drop our reference to the process first.
    drop(process);
    kill(frame, Some(address));
}

/// Ends the user program that caused `frame`'s exception, after the report the classic
/// kernel prints (test checkers filter these lines where faults are expected).
fn kill(frame: &InterruptFrame, fault_address: Option<usize>) -> ! {
    let name = alloc::string::String::from(userprog::current().name());
    if let Some(address) = fault_address {
        let error = PageFaultError::from_bits_truncate(frame.error_code);
        println!(
            "Page fault at {address:#010x}: {} error {} page in user context.",
            if error.contains(PageFaultError::P) { "rights violation" } else { "not present" },
            if error.contains(PageFaultError::WR) { "writing" } else { "reading" },
        );
    }
    let vector_name = super::vector_name(frame.vector);
    println!("{name}: dying due to interrupt {:#04x} ({vector_name}).", frame.vector);
    println!("Interrupt {:#04x} ({vector_name}) at eip={:#x}", frame.vector, frame.eip);
    println!(" cr2={:08x} error={:08x}", fault_address.unwrap_or(0), frame.error_code);
    println!(" eax={:08x} ebx={:08x} ecx={:08x} edx={:08x}", frame.eax, frame.ebx, frame.ecx, frame.edx);
    println!(" esi={:08x} edi={:08x} esp={:08x} ebp={:08x}", frame.esi, frame.edi, frame.user_esp, frame.ebp);
    println!(" cs={:04x} ds={:04x} es={:04x} ss={:04x}", frame.cs, frame.ds, frame.es, frame.user_ss);
    drop(name);
    userprog::exit(-1)
}
