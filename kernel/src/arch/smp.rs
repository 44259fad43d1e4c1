//! Starting the other CPUs (the application processors). Each starts in 16-bit real mode at
//! a page below 1 MiB that the boot CPU names in a start-up IPI; the trampoline copied there
//! switches to 32-bit protected mode, turns paging on with the boot page directory (which
//! maps its own low page as well as the kernel), and jumps to `ap_entry` in the kernel,
//! which loads the kernel's directory and the stack the boot CPU prepared, and calls the
//! kernel's entry for the CPU. The CPUs start one at a time.

use core::arch::global_asm;
use core::sync::atomic::{AtomicU32, Ordering};

use conquer_once::spin::OnceCell;

use super::layout::{PAGE_SIZE, phys_to_virt};
use super::{apic, cpu, gdt, idt, paging, percpu};

/// Where the trampoline runs (the page pools leave that page alone).
const TRAMPOLINE: usize = super::layout::AP_TRAMPOLINE;

/// What a starting CPU needs before it can run Rust code; written by the boot CPU before
/// each start-up IPI, read by `ap_entry`.
#[repr(C)]
struct StartArguments {
    directory: AtomicU32,
    stack_top: AtomicU32,
    cpu: AtomicU32,
    stack_bottom: AtomicU32,
}

static START: StartArguments = StartArguments {
    directory: AtomicU32::new(0),
    stack_top: AtomicU32::new(0),
    cpu: AtomicU32::new(0),
    stack_bottom: AtomicU32::new(0),
};

/// The kernel's code for a CPU that has come up: it never returns. It gets the CPU's
/// number and the stack it runs on, `[bottom, top)`.
pub type CpuEntry = fn(usize, (usize, usize)) -> !;

static ENTRY: OnceCell<CpuEntry> = OnceCell::uninit();

unsafe extern "C" {
    static ap_trampoline_start: u8;
    static ap_trampoline_end: u8;
}

global_asm!(
    r#"
    .section .rodata.ap_trampoline, "a"
    .global ap_trampoline_start
    .global ap_trampoline_end
    .code16
ap_trampoline_start:
    cli
    cld
    xorw %ax, %ax
    movw %ax, %ds
    lgdtl ({base} + ap_gdtr - ap_trampoline_start)
    movl %cr0, %eax
    orl $1, %eax                         /* CR0.PE */
    movl %eax, %cr0
    ljmpl $0x08, ${base} + ap_protected - ap_trampoline_start
    .code32
ap_protected:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw %ax, %fs
    movw %ax, %gs
    movl $boot_page_directory, %eax      /* linked at its physical address */
    movl %eax, %cr3
    movl %cr4, %eax
    orl $0x10, %eax                      /* CR4.PSE: 4 MiB pages */
    movl %eax, %cr4
    movl %cr0, %eax
    orl $0x80010000, %eax                /* CR0.PG | CR0.WP */
    movl %eax, %cr0
    movl $ap_entry, %eax
    jmp *%eax
    .align 8
ap_gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF             /* flat 32-bit code */
    .quad 0x00CF92000000FFFF             /* flat 32-bit data */
ap_gdtr:
    .word 23
    .long {base} + ap_gdt - ap_trampoline_start
ap_trampoline_end:

    .section .text
ap_entry:
    movl {start}, %eax                   /* StartArguments::directory */
    movl %eax, %cr3
    movl {start} + 4, %esp               /* StartArguments::stack_top */
    xorl %ebp, %ebp                      /* ends the frame-pointer chain for backtraces */
    pushl {start} + 8                    /* StartArguments::cpu */
    call ap_main
1:  cli
    hlt
    jmp 1b
    "#,
    base = const TRAMPOLINE,
    start = sym START,
    options(att_syntax)
);

/// The first Rust code of an application processor, on its own stack, with the kernel's
/// directory: it loads the CPU's tables, turns its local APIC on, reports itself online
/// and enters the kernel.
#[unsafe(no_mangle)]
extern "C" fn ap_main(cpu: u32) -> ! {
    let cpu = cpu as usize;
    gdt::load(cpu);
    idt::load();
    paging::enable_global_pages();
    apic::enable_local();
    let stack = (START.stack_bottom.load(Ordering::Relaxed) as usize, START.stack_top.load(Ordering::Relaxed) as usize);
    let entry = *ENTRY.get().expect("an application processor started without an entry");
    percpu::set_online(cpu, apic::local_id());
    entry(cpu, stack)
}

/// Waits `microseconds` by the time-stamp counter.
fn delay(microseconds: u64, tsc_per_second: u64) {
    let end = cpu::rdtsc() + tsc_per_second * microseconds / 1_000_000;
    while cpu::rdtsc() < end {
        core::hint::spin_loop();
    }
}

/// Starts CPU number `cpu`, whose local APIC is `apic_id`, on the stack `[bottom, top)`;
/// it runs `entry`. Returns whether it came up within a second. The boot CPU calls this,
/// one CPU at a time, with interrupts on or off.
pub fn start(cpu: usize, apic_id: u32, stack: (usize, usize), entry: CpuEntry, tsc_per_second: u64) -> bool {
    ENTRY.init_once(|| entry);
    // SAFETY: the trampoline's page lies in conventional memory below 1 MiB, which the
    // kernel maps and the page pools never hand out; the source is the trampoline's code.
    unsafe {
        let start = &raw const ap_trampoline_start;
        let length = (&raw const ap_trampoline_end).offset_from(start) as usize;
        assert!(length <= PAGE_SIZE, "the trampoline fits in its page");
        core::ptr::copy_nonoverlapping(start, phys_to_virt(TRAMPOLINE) as *mut u8, length);
    }
    START.directory.store(paging::kernel_directory() as u32, Ordering::Relaxed);
    START.stack_bottom.store(stack.0 as u32, Ordering::Relaxed);
    START.stack_top.store(stack.1 as u32, Ordering::Relaxed);
    START.cpu.store(cpu as u32, Ordering::Release);
    // The sequence of the Intel manual: INIT, 10 ms, start-up, 200 µs, start-up again if
    // the first one was lost.
    apic::send_init(apic_id);
    delay(10_000, tsc_per_second);
    let page = (TRAMPOLINE / PAGE_SIZE) as u8;
    apic::send_startup(apic_id, page);
    delay(200, tsc_per_second);
    if !percpu::is_online(cpu) {
        apic::send_startup(apic_id, page);
    }
    let give_up = cpu::rdtsc() + tsc_per_second;
    while !percpu::is_online(cpu) {
        if cpu::rdtsc() > give_up {
            return false;
        }
        core::hint::spin_loop();
    }
    true
}
