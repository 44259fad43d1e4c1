//! The global descriptor table, one for all CPUs: flat kernel and user segments; for each
//! CPU a task-state segment (which tells the CPU the kernel stack to use when an interrupt
//! arrives in user mode) and a segment whose base is the CPU's own block (`percpu`), which
//! it keeps in GS; and one more TSS that the double-fault handler switches to, so that even a
//! kernel stack overflow is reported.
//!
//! Selectors are the classic Pintos ones: user programs see code 0x1B and data 0x23. CPU
//! `i`'s per-CPU segment comes right after its TSS, so the interrupt entry finds it from the
//! task register alone (`str`, then the next descriptor).

use core::cell::UnsafeCell;
use core::mem::size_of;

use x86::Ring;
use x86::bits32::task::TaskStateSegment;
use x86::dtables::{DescriptorTablePointer, lgdt};
use x86::segmentation::{
    BuildDescriptor, CodeSegmentType, DataSegmentType, Descriptor, DescriptorBuilder,
    GateDescriptorBuilder, SegmentDescriptorBuilder, SegmentSelector,
};

use super::percpu::{self, MAX_CPUS};

pub const KERNEL_CODE: SegmentSelector = SegmentSelector::new(1, Ring::Ring0);
pub const KERNEL_DATA: SegmentSelector = SegmentSelector::new(2, Ring::Ring0);
pub const USER_CODE: SegmentSelector = SegmentSelector::new(3, Ring::Ring3);
pub const USER_DATA: SegmentSelector = SegmentSelector::new(4, Ring::Ring3);
pub const DOUBLE_FAULT_TSS: SegmentSelector = SegmentSelector::new(5, Ring::Ring0);
/// The first per-CPU entry; CPU `i` has `FIRST_PER_CPU + 2 i` (its TSS) and the next one.
const FIRST_PER_CPU: u16 = 6;

const ENTRIES: usize = FIRST_PER_CPU as usize + 2 * MAX_CPUS;
const DOUBLE_FAULT_STACK_SIZE: usize = 8192;

fn tss_selector(cpu: usize) -> SegmentSelector {
    SegmentSelector::new(FIRST_PER_CPU + 2 * cpu as u16, Ring::Ring0)
}

fn per_cpu_selector(cpu: usize) -> SegmentSelector {
    SegmentSelector::new(FIRST_PER_CPU + 2 * cpu as u16 + 1, Ring::Ring0)
}

/// The CPU whose TSS `selector` names.
fn cpu_of_tss(selector: u16) -> Option<usize> {
    let index = usize::from(selector >> 3).checked_sub(usize::from(FIRST_PER_CPU))?;
    (index % 2 == 0 && index / 2 < MAX_CPUS).then_some(index / 2)
}

/// Descriptor tables are written once during boot, with interrupts off; afterwards only a
/// CPU's own TSS `esp0` changes, by that CPU's scheduler, with interrupts off.
struct BootCell<T>(UnsafeCell<T>);
// SAFETY: see above: each CPU writes only its own TSS, and nothing else is written after boot.
unsafe impl<T> Sync for BootCell<T> {}

static GDT: BootCell<[Descriptor; ENTRIES]> = BootCell(UnsafeCell::new([Descriptor::NULL; ENTRIES]));
static TASK_STATES: BootCell<[TaskStateSegment; MAX_CPUS]> =
    BootCell(UnsafeCell::new([const { TaskStateSegment::new() }; MAX_CPUS]));
static DOUBLE_FAULT_STATE: BootCell<TaskStateSegment> = BootCell(UnsafeCell::new(TaskStateSegment::new()));
#[repr(align(16))]
struct DoubleFaultStack {
    _space: [u8; DOUBLE_FAULT_STACK_SIZE],
}
static DOUBLE_FAULT_STACK: BootCell<DoubleFaultStack> =
    BootCell(UnsafeCell::new(DoubleFaultStack { _space: [0; DOUBLE_FAULT_STACK_SIZE] }));

fn flat_segment(code: bool, ring: Ring) -> Descriptor {
    let builder = if code {
        DescriptorBuilder::code_descriptor(0, 0xFFFFF, CodeSegmentType::ExecuteRead)
    } else {
        DescriptorBuilder::data_descriptor(0, 0xFFFFF, DataSegmentType::ReadWrite)
    };
    builder.present().dpl(ring).limit_granularity_4kb().db().finish()
}

fn tss_descriptor(tss: *const TaskStateSegment) -> Descriptor {
    let limit = size_of::<TaskStateSegment>() as u64 - 1;
    <DescriptorBuilder as GateDescriptorBuilder<u32>>::tss_descriptor(tss as u64, limit, true)
        .present()
        .dpl(Ring::Ring0)
        .finish()
}

/// Fills the table for every CPU; `double_fault_entry` is where the double-fault task
/// starts. Then loads it on the boot CPU. Runs first of all, before anything reads the
/// CPU's block.
pub fn init(double_fault_entry: usize) {
    // SAFETY: boot, interrupts off, no other CPU runs and nothing uses these tables yet.
    unsafe {
        let df = &mut *DOUBLE_FAULT_STATE.0.get();
        let stack = DOUBLE_FAULT_STACK.0.get() as usize;
        df.esp = (stack + DOUBLE_FAULT_STACK_SIZE) as u32;
        df.esp0 = df.esp;
        df.eip = double_fault_entry as u32;
        df.cr3 = super::cpu::cr3() as u32;
        df.cs = KERNEL_CODE.bits();
        df.ss = KERNEL_DATA.bits();
        df.ss0 = KERNEL_DATA.bits();
        df.ds = KERNEL_DATA.bits();
        df.es = KERNEL_DATA.bits();
        df.fs = KERNEL_DATA.bits();
        // The report runs on whichever CPU faulted; any CPU's block is a valid GS for it.
        df.gs = per_cpu_selector(0).bits();
        df.iobp_offset = size_of::<TaskStateSegment>() as u16;

        let gdt = &mut *GDT.0.get();
        gdt[KERNEL_CODE.index() as usize] = flat_segment(true, Ring::Ring0);
        gdt[KERNEL_DATA.index() as usize] = flat_segment(false, Ring::Ring0);
        gdt[USER_CODE.index() as usize] = flat_segment(true, Ring::Ring3);
        gdt[USER_DATA.index() as usize] = flat_segment(false, Ring::Ring3);
        gdt[DOUBLE_FAULT_TSS.index() as usize] = tss_descriptor(df);
        let task_states = &mut *TASK_STATES.0.get();
        for (cpu, tss) in task_states.iter_mut().enumerate() {
            tss.ss0 = KERNEL_DATA.bits();
            tss.iobp_offset = size_of::<TaskStateSegment>() as u16;
            gdt[tss_selector(cpu).index() as usize] = tss_descriptor(tss);
            let block = percpu::block_address(cpu) as u32;
            gdt[per_cpu_selector(cpu).index() as usize] =
                DescriptorBuilder::data_descriptor(block, 0xFFF, DataSegmentType::ReadWrite)
                    .present()
                    .dpl(Ring::Ring0)
                    .db()
                    .finish();
        }
    }
    load(0);
}

/// Loads the table on CPU `cpu` (the boot CPU, or an application processor as it starts),
/// with its TSS and its per-CPU segment in GS.
pub fn load(cpu: usize) {
    // SAFETY: the table is complete (`init`), lives forever, and maps flat segments; CPU
    // `cpu`'s TSS is not loaded by any other CPU.
    unsafe {
        let gdt = &*GDT.0.get();
        lgdt(&DescriptorTablePointer::new_from_slice(&gdt[..]));
        x86::bits32::segmentation::load_cs(KERNEL_CODE);
        x86::segmentation::load_ds(KERNEL_DATA);
        x86::segmentation::load_es(KERNEL_DATA);
        x86::segmentation::load_fs(KERNEL_DATA);
        x86::segmentation::load_gs(per_cpu_selector(cpu));
        x86::segmentation::load_ss(KERNEL_DATA);
        x86::task::load_tr(tss_selector(cpu));
    }
}

/// Points the double-fault task at page directory `cr3` (the kernel's, once it exists: the
/// boot directory maps only the first 8 MiB).
pub fn set_double_fault_directory(cr3: usize) {
    // SAFETY: boot, interrupts off; the double-fault task is not running.
    unsafe { (*DOUBLE_FAULT_STATE.0.get()).cr3 = cr3 as u32 };
}

/// Sets the stack this CPU switches to when an interrupt or system call arrives from user
/// mode: the top of the kernel stack of the thread about to run. Interrupts must be off.
pub fn set_kernel_stack(top: usize) {
    // SAFETY: each CPU writes only its own TSS, with interrupts off; the CPU reads esp0 only
    // when it takes an interrupt from ring 3, which cannot happen while we are here in ring 0.
    unsafe { (*TASK_STATES.0.get())[percpu::id()].esp0 = top as u32 };
}

/// What the CPU saved in its TSS when the double fault switched tasks away from it.
pub struct InterruptedTask {
    pub cpu: Option<usize>,
    pub eip: u32,
    pub esp: u32,
    pub ebp: u32,
    pub cs: u16,
    pub eflags: u32,
    /// The kernel stack the TSS named for interrupts from user mode.
    pub esp0: u32,
}

/// The state of the task the double fault interrupted: the double-fault TSS's back link
/// names the TSS of the CPU that faulted.
pub fn interrupted_task() -> InterruptedTask {
    // SAFETY: read by the double-fault task after the CPU stored the state; nothing else
    // writes these TSSs now.
    unsafe {
        let link = (*DOUBLE_FAULT_STATE.0.get()).link;
        let cpu = cpu_of_tss(link);
        let tss = &(*TASK_STATES.0.get())[cpu.unwrap_or(0)];
        InterruptedTask { cpu, eip: tss.eip, esp: tss.esp, ebp: tss.ebp, cs: tss.cs, eflags: tss.eflags, esp0: tss.esp0 }
    }
}

/// A checksum of the descriptor table, to tell whether anything overwrote it since boot.
/// The flags the CPU itself sets are left out: the busy flag of a task-state descriptor (as
/// it loads the TSS) and the accessed flag of a segment descriptor (as it first loads the
/// segment: the user segments only when the first program starts).
pub fn checksum() -> u32 {
    // SAFETY: a read-only look at a table that lives forever, as bytes.
    let bytes = unsafe { core::slice::from_raw_parts(GDT.0.get().cast::<u8>(), size_of::<[Descriptor; ENTRIES]>()) };
    let mut copy = [0u8; size_of::<[Descriptor; ENTRIES]>()];
    copy.copy_from_slice(bytes);
    for descriptor in copy.chunks_mut(8) {
        const SEGMENT: u8 = 0x10;
        const BUSY: u8 = 0x02;
        const ACCESSED: u8 = 0x01;
        descriptor[5] &= if descriptor[5] & SEGMENT == 0 { !BUSY } else { !ACCESSED };
    }
    fletcher32(&copy)
}

/// A simple checksum of `bytes` (Fletcher's, over 16-bit halves).
pub(super) fn fletcher32(bytes: &[u8]) -> u32 {
    let (mut low, mut high) = (0u32, 0u32);
    for pair in bytes.chunks(2) {
        let word = u32::from(pair[0]) | pair.get(1).map_or(0, |&b| u32::from(b) << 8);
        low = (low + word) % 65535;
        high = (high + low) % 65535;
    }
    (high << 16) | low
}
