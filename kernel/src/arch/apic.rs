//! The APICs: each CPU's local APIC (its timer, the end-of-interrupt register, and
//! interrupts sent between CPUs) and the I/O APIC, which delivers the devices' interrupts.
//! The 8259 PICs stay masked.
//!
//! Vectors: the ISA lines keep the vectors the PIC gave them (0x20 + IRQ); each CPU's local
//! timer uses the ISA timer's vector, so the trap router treats both alike; three more are
//! for CPUs to interrupt each other and for the APIC's spurious interrupt.

use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use super::acpi::{IsaRoute, Platform};
use super::layout::device_to_virt;
use super::percpu;

/// An IPI that asks a CPU to look at the ready queue (it was idle).
pub const RESCHEDULE_VECTOR: u8 = 0xF0;
/// An IPI that asks a CPU to drop translations another CPU removed (see `tlb`).
pub const TLB_SHOOTDOWN_VECTOR: u8 = 0xF1;
/// What the local APIC delivers when an interrupt vanished before the CPU took it.
pub const SPURIOUS_VECTOR: u8 = 0xFF;

/// Local APIC registers (byte offsets).
const ID: usize = 0x20;
const TASK_PRIORITY: usize = 0x80;
const END_OF_INTERRUPT: usize = 0xB0;
const SPURIOUS: usize = 0xF0;
const COMMAND_LOW: usize = 0x300;
const COMMAND_HIGH: usize = 0x310;
const TIMER: usize = 0x320;
const LINT0: usize = 0x350;
const ERROR: usize = 0x370;
const TIMER_INITIAL: usize = 0x380;
const TIMER_CURRENT: usize = 0x390;
const TIMER_DIVIDE: usize = 0x3E0;

const SOFTWARE_ENABLE: u32 = 1 << 8;
const MASKED: u32 = 1 << 16;
const TIMER_PERIODIC: u32 = 1 << 17;
const DIVIDE_BY_16: u32 = 0b0011;
const DELIVERY_PENDING: u32 = 1 << 12;
const LEVEL_ASSERT: u32 = 1 << 14;
const DELIVERY_INIT: u32 = 0b101 << 8;
const DELIVERY_STARTUP: u32 = 0b110 << 8;

/// I/O APIC registers: a window register selects one of its registers for the data one.
const IO_SELECT: usize = 0x00;
const IO_WINDOW: usize = 0x10;
const IO_VERSION: u32 = 0x01;
const IO_REDIRECTION: u32 = 0x10;
const IO_ACTIVE_LOW: u32 = 1 << 13;
const IO_LEVEL: u32 = 1 << 15;

static LOCAL_APIC: AtomicUsize = AtomicUsize::new(0);
static IO_APIC: AtomicUsize = AtomicUsize::new(0);
static IO_APIC_FIRST_GSI: AtomicU32 = AtomicU32::new(0);
/// The I/O APIC input of each ISA line routed so far.
static ISA_INPUTS: [AtomicU32; 16] = [const { AtomicU32::new(u32::MAX) }; 16];
/// Local timer counts (at divide-by-16) per tick, measured by the boot CPU.
static TIMER_COUNT: AtomicU32 = AtomicU32::new(0);

fn local(register: usize) -> *mut u32 {
    (LOCAL_APIC.load(Ordering::Relaxed) + register) as *mut u32
}

fn read_local(register: usize) -> u32 {
    // SAFETY: the local APIC's registers are mapped uncached in the device window; every
    // CPU reaches its own APIC at the same address.
    unsafe { local(register).read_volatile() }
}

fn write_local(register: usize, value: u32) {
    // SAFETY: as in `read_local`.
    unsafe { local(register).write_volatile(value) };
}

fn read_io(register: u32) -> u32 {
    let base = IO_APIC.load(Ordering::Relaxed);
    // SAFETY: as in `write_io`.
    unsafe {
        ((base + IO_SELECT) as *mut u32).write_volatile(register);
        ((base + IO_WINDOW) as *const u32).read_volatile()
    }
}

fn write_io(register: u32, value: u32) {
    let base = IO_APIC.load(Ordering::Relaxed);
    // SAFETY: the I/O APIC's window registers are mapped uncached in the device window; the
    // boot CPU programs it alone, at boot.
    unsafe {
        ((base + IO_SELECT) as *mut u32).write_volatile(register);
        ((base + IO_WINDOW) as *mut u32).write_volatile(value);
    }
}

/// Remembers where the APICs are (their registers must lie in the kernel's device window),
/// and masks every input of the I/O APIC: only the lines routed later may interrupt, on
/// their vectors (the firmware may have left an input open on a vector of its own).
pub fn init(platform: &Platform) {
    LOCAL_APIC.store(device_to_virt(platform.local_apic), Ordering::Relaxed);
    IO_APIC.store(device_to_virt(platform.io_apic), Ordering::Relaxed);
    IO_APIC_FIRST_GSI.store(platform.io_apic_first_gsi, Ordering::Relaxed);
    let inputs = (read_io(IO_VERSION) >> 16 & 0xFF) + 1;
    for input in 0..inputs {
        write_io(IO_REDIRECTION + 2 * input, MASKED);
    }
}

/// Turns on this CPU's local APIC: every priority accepted, the legacy PIC's line (LINT0)
/// and error interrupts masked.
pub fn enable_local() {
    write_local(TASK_PRIORITY, 0);
    write_local(LINT0, MASKED);
    write_local(ERROR, MASKED);
    write_local(SPURIOUS, SOFTWARE_ENABLE | u32::from(SPURIOUS_VECTOR));
}

/// This CPU's local APIC id.
pub fn local_id() -> u32 {
    read_local(ID) >> 24
}

/// Tells this CPU's local APIC that the interrupt being handled is done.
pub fn end_of_interrupt() {
    write_local(END_OF_INTERRUPT, 0);
}

/// Routes ISA line `route` to vector `vector` on the boot CPU, unmasked.
pub fn route_isa(route: IsaRoute, vector: u8) {
    let input = route.gsi - IO_APIC_FIRST_GSI.load(Ordering::Relaxed);
    ISA_INPUTS[usize::from(route.irq)].store(input, Ordering::Relaxed);
    let mut low = u32::from(vector);
    if route.active_low {
        low |= IO_ACTIVE_LOW;
    }
    if route.level_triggered {
        low |= IO_LEVEL;
    }
    write_io(IO_REDIRECTION + 2 * input + 1, percpu::apic_id(0) << 24);
    write_io(IO_REDIRECTION + 2 * input, low);
}

/// Masks ISA line `irq`, routed before, at the I/O APIC.
pub fn mask_isa(irq: u8) {
    let input = ISA_INPUTS[usize::from(irq)].load(Ordering::Relaxed);
    assert!(input != u32::MAX, "ISA line {irq} was never routed");
    write_io(IO_REDIRECTION + 2 * input, MASKED);
}

/// Starts this CPU's local timer counting down from its maximum (see [`timer_elapsed`]).
pub fn start_timer_measurement() {
    write_local(TIMER_DIVIDE, DIVIDE_BY_16);
    write_local(TIMER, MASKED);
    write_local(TIMER_INITIAL, u32::MAX);
}

/// Counts the timer went down since [`start_timer_measurement`].
pub fn timer_elapsed() -> u32 {
    u32::MAX - read_local(TIMER_CURRENT)
}

/// Sets the timer period every CPU uses, in counts, measured against the PIT.
pub fn set_timer_period(counts: u32) {
    TIMER_COUNT.store(counts.max(1), Ordering::Relaxed);
}

/// Starts this CPU's local timer: an interrupt on `vector` every `scale` periods (1.0 is
/// the measured period; `-jitter` draws other scales).
pub fn start_timer(vector: u8, scale_percent: u32) {
    let counts = u64::from(TIMER_COUNT.load(Ordering::Relaxed)) * u64::from(scale_percent) / 100;
    write_local(TIMER_DIVIDE, DIVIDE_BY_16);
    write_local(TIMER, TIMER_PERIODIC | u32::from(vector));
    write_local(TIMER_INITIAL, counts.clamp(1, u64::from(u32::MAX)) as u32);
}

fn send(apic_id: u32, command: u32) {
    while read_local(COMMAND_LOW) & DELIVERY_PENDING != 0 {
        core::hint::spin_loop();
    }
    write_local(COMMAND_HIGH, apic_id << 24);
    write_local(COMMAND_LOW, command);
}

/// Sends `vector` to CPU `cpu`.
pub fn send_ipi(cpu: usize, vector: u8) {
    send(percpu::apic_id(cpu), u32::from(vector));
}

/// Asks CPU `cpu`, which idles, to look at the ready queue.
pub fn send_reschedule(cpu: usize) {
    send_ipi(cpu, RESCHEDULE_VECTOR);
}

/// The INIT of the start-up sequence of an application processor.
pub fn send_init(apic_id: u32) {
    send(apic_id, DELIVERY_INIT | LEVEL_ASSERT);
}

/// A start-up IPI: the processor begins in real mode at `page` * 4 KiB.
pub fn send_startup(apic_id: u32, page: u8) {
    send(apic_id, DELIVERY_STARTUP | LEVEL_ASSERT | u32::from(page));
}
