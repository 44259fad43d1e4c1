//! The interrupt descriptor table and the one path every interrupt takes.
//!
//! Each of the 256 vectors has a 16-byte assembly stub that pushes a dummy error code where
//! the CPU pushes none, then the vector number, and jumps to `intr_entry`. `intr_entry` saves
//! the rest of the interrupted state so that every handler sees the same [`InterruptFrame`],
//! and `intr_exit` undoes it. A new user process starts by "returning" through `intr_exit`
//! from a frame built by hand.

use core::arch::global_asm;
use core::cell::UnsafeCell;

use x86::Ring;
use x86::dtables::{DescriptorTablePointer, lidt};
use x86::segmentation::{
    BuildDescriptor, Descriptor, DescriptorBuilder, GateDescriptorBuilder,
    TaskGateDescriptorBuilder,
};

use super::gdt;

/// The machine state saved on entry to every interrupt, in the order the stubs push it
/// (lowest address first).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct InterruptFrame {
    pub edi: u32,
    pub esi: u32,
    pub ebp: u32,
    esp_ignored: u32,
    pub ebx: u32,
    pub edx: u32,
    pub ecx: u32,
    pub eax: u32,
    pub gs: u32,
    pub fs: u32,
    pub es: u32,
    pub ds: u32,
    pub vector: u32,
    pub error_code: u32,
    pub eip: u32,
    pub cs: u32,
    pub eflags: u32,
    /// Only pushed by the CPU when the interrupt came from user mode.
    pub user_esp: u32,
    /// Only pushed by the CPU when the interrupt came from user mode.
    pub user_ss: u32,
}

impl InterruptFrame {
    /// Whether the interrupted code was running in ring 3.
    pub fn from_user(&self) -> bool {
        self.cs & 3 == 3
    }

    /// A frame that enters user mode at `eip` with stack `esp` and interrupts enabled.
    pub fn for_user_entry(eip: u32, esp: u32) -> InterruptFrame {
        let data = u32::from(gdt::USER_DATA.bits());
        InterruptFrame {
            gs: data,
            fs: data,
            es: data,
            ds: data,
            eip,
            cs: u32::from(gdt::USER_CODE.bits()),
            eflags: 0x202,
            user_esp: esp,
            user_ss: data,
            ..InterruptFrame::default()
        }
    }
}

/// The kernel's one entry point for every interrupt, exception and system call, handed to
/// [`init`] by the trap router (this layer knows nothing above it). It may change the frame
/// (system calls put their result in `eax`).
pub type Dispatcher = fn(&mut InterruptFrame);

/// How a vector's gate treats the interrupt flag and who may raise it.
#[derive(Clone, Copy)]
pub enum Gate {
    /// Interrupts stay off while the handler runs (hardware interrupts, page faults: the
    /// handler must read CR2 before another fault can overwrite it).
    Interrupt,
    /// Interrupts stay on (system calls may take a long time).
    Trap,
}

const VECTORS: usize = 256;
const STUB_SIZE: usize = 16;

struct Tables {
    idt: [Descriptor; VECTORS],
    dispatcher: Option<Dispatcher>,
}

struct BootCell(UnsafeCell<Tables>);
// SAFETY: written only during boot with interrupts off (see `set_gate` and `init`); only
// read afterwards.
unsafe impl Sync for BootCell {}

static TABLES: BootCell = BootCell(UnsafeCell::new(Tables { idt: [Descriptor::NULL; VECTORS], dispatcher: None }));

unsafe extern "C" {
    static intr_stubs: u8;
    /// Restores an [`InterruptFrame`] found at the stack pointer and returns through it.
    pub fn intr_exit() -> !;
}

// The error-code vectors (8, 10-14, 17, 21, 29, 30) get no dummy push.
global_asm!(
    r#"
    .section .text
    .align 16
    .global intr_stubs
intr_stubs:
    .set vec, 0
    .rept 256
    .align 16
    .if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
        pushl $vec
    .else
        pushl $0
        pushl $vec
    .endif
    jmp intr_entry
    .set vec, vec + 1
    .endr

intr_entry:
    pushl %ds
    pushl %es
    pushl %fs
    pushl %gs
    pushal
    cld
    movl ${kdata}, %eax
    movl %eax, %ds
    movl %eax, %es
    /* GS: this CPU's block, whose segment follows the CPU's TSS in the GDT (see gdt.rs). */
    xorl %eax, %eax
    strw %ax
    addl $8, %eax
    movl %eax, %gs
    movl %esp, %eax
    /* A fake call frame (interrupted eip, interrupted ebp) lets backtraces walk from the
       handler into the interrupted code. */
    pushl 56(%eax)
    pushl %ebp
    movl %esp, %ebp
    pushl %eax
    call intr_dispatch
    addl $12, %esp

    .global intr_exit
intr_exit:
    /* Back to kernel code, GS must be this CPU's block, which need not be the one saved:
       the interrupted thread may have moved to another CPU meanwhile. */
    testl $3, 60(%esp)
    jnz 1f
    xorl %eax, %eax
    strw %ax
    addl $8, %eax
    movl %eax, 32(%esp)
1:
    popal
    popl %gs
    popl %fs
    popl %es
    popl %ds
    addl $8, %esp
    iret
    "#,
    kdata = const 0x10,
    options(att_syntax)
);

/// Makes `vector` present, entering through its stub. Boot-time only.
pub fn set_gate(vector: u8, gate: Gate, dpl: Ring) {
    assert!(!super::cpu::interrupts_enabled(), "interrupt gates are set at boot");
    // SAFETY: see the assertion: interrupts are off, nothing reads the tables now.
    let tables = unsafe { &mut *TABLES.0.get() };
    let stub = (&raw const intr_stubs) as usize + usize::from(vector) * STUB_SIZE;
    let builder = match gate {
        Gate::Interrupt => DescriptorBuilder::interrupt_descriptor(gdt::KERNEL_CODE, stub as u32),
        Gate::Trap => DescriptorBuilder::trap_gate_descriptor(gdt::KERNEL_CODE, stub as u32),
    };
    tables.idt[usize::from(vector)] = builder.present().dpl(dpl).finish();
}

/// Loads the IDT; every interrupt through a present gate then reaches `dispatcher`. Vector 8
/// (double fault) becomes a task gate to the double-fault TSS, so it runs on a stack of its
/// own even when the kernel stack has overflowed.
pub fn init(dispatcher: Dispatcher) {
    assert!(!super::cpu::interrupts_enabled(), "the IDT is loaded at boot");
    // SAFETY: boot, interrupts off.
    let tables = unsafe { &mut *TABLES.0.get() };
    tables.dispatcher = Some(dispatcher);
    tables.idt[8] = DescriptorBuilder::task_gate_descriptor(gdt::DOUBLE_FAULT_TSS)
        .present()
        .dpl(Ring::Ring0)
        .finish();
    load();
}

/// Loads the IDT on this CPU (every CPU shares the one table).
pub fn load() {
    // SAFETY: the table lives forever, is complete once `init` ran, and every present entry
    // points at a stub.
    unsafe {
        let tables = &*TABLES.0.get();
        lidt(&DescriptorTablePointer::new_from_slice(&tables.idt[..]));
    }
}

/// A checksum of the table, to tell whether anything overwrote it since boot.
pub fn checksum() -> u32 {
    // SAFETY: a read-only look at a table that lives forever, as bytes.
    let bytes = unsafe {
        core::slice::from_raw_parts((&raw const (*TABLES.0.get()).idt).cast::<u8>(), core::mem::size_of::<[Descriptor; VECTORS]>())
    };
    super::gdt::fletcher32(bytes)
}

#[unsafe(no_mangle)]
extern "C" fn intr_dispatch(frame: &mut InterruptFrame) {
    // SAFETY: the dispatcher is only written at boot, before the first interrupt.
    let dispatcher = unsafe { (*TABLES.0.get()).dispatcher };
    dispatcher.expect("an interrupt before idt::init")(frame);
}

/// Leaves the kernel for user mode at `eip` with stack `esp`, never to return: the thread's
/// next visit to the kernel is an interrupt, which starts over at the top of its stack.
pub fn enter_user_mode(eip: u32, esp: u32) -> ! {
    let frame = InterruptFrame::for_user_entry(eip, esp);
    super::cpu::disable_interrupts();
    // SAFETY: `intr_exit` pops an interrupt frame from the stack pointer and `iret`s; the
    // frame lives on this thread's kernel stack, which nothing else uses until the next
    // interrupt (the CPU then switches to the stack's top, TSS esp0).
    unsafe {
        core::arch::asm!("mov esp, {frame}", "jmp {exit}", frame = in(reg) &frame, exit = sym intr_exit, options(noreturn));
    }
}
