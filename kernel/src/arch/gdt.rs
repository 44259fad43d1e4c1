//! The global descriptor table: flat kernel and user segments, the task-state segment that
//! tells the CPU which stack to use when an interrupt arrives in user mode, and a second
//! TSS that the double-fault handler switches to (so a kernel stack overflow still reports).
//!
//! Selectors are the classic Pintos ones: user programs see code 0x1B and data 0x23.

use core::cell::UnsafeCell;
use core::mem::size_of;

use x86::Ring;
use x86::bits32::task::TaskStateSegment;
use x86::dtables::{DescriptorTablePointer, lgdt};
use x86::segmentation::{
    BuildDescriptor, CodeSegmentType, DataSegmentType, Descriptor, DescriptorBuilder,
    GateDescriptorBuilder, SegmentDescriptorBuilder, SegmentSelector,
};

pub const KERNEL_CODE: SegmentSelector = SegmentSelector::new(1, Ring::Ring0);
pub const KERNEL_DATA: SegmentSelector = SegmentSelector::new(2, Ring::Ring0);
pub const USER_CODE: SegmentSelector = SegmentSelector::new(3, Ring::Ring3);
pub const USER_DATA: SegmentSelector = SegmentSelector::new(4, Ring::Ring3);
const TSS: SegmentSelector = SegmentSelector::new(5, Ring::Ring0);
pub const DOUBLE_FAULT_TSS: SegmentSelector = SegmentSelector::new(6, Ring::Ring0);

const ENTRIES: usize = 7;
const DOUBLE_FAULT_STACK_SIZE: usize = 4096;

/// Descriptor tables are written once during boot, with interrupts off, and afterwards only
/// the running TSS's `esp0` changes (by the scheduler, with interrupts off).
struct BootCell<T>(UnsafeCell<T>);
// SAFETY: single CPU; every access happens with interrupts disabled (boot or scheduler).
unsafe impl<T> Sync for BootCell<T> {}

static GDT: BootCell<[Descriptor; ENTRIES]> = BootCell(UnsafeCell::new([Descriptor::NULL; ENTRIES]));
static TASK_STATE: BootCell<TaskStateSegment> = BootCell(UnsafeCell::new(TaskStateSegment::new()));
static DOUBLE_FAULT_STATE: BootCell<TaskStateSegment> =
    BootCell(UnsafeCell::new(TaskStateSegment::new()));
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

/// Loads the GDT and the TSS. `double_fault_entry` is where the double-fault task starts.
pub fn init(double_fault_entry: usize) {
    // SAFETY: boot, interrupts off, nothing else uses these tables yet.
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
        df.gs = KERNEL_DATA.bits();
        df.iobp_offset = size_of::<TaskStateSegment>() as u16;

        let tss = &mut *TASK_STATE.0.get();
        tss.ss0 = KERNEL_DATA.bits();
        tss.iobp_offset = size_of::<TaskStateSegment>() as u16;

        let gdt = &mut *GDT.0.get();
        gdt[KERNEL_CODE.index() as usize] = flat_segment(true, Ring::Ring0);
        gdt[KERNEL_DATA.index() as usize] = flat_segment(false, Ring::Ring0);
        gdt[USER_CODE.index() as usize] = flat_segment(true, Ring::Ring3);
        gdt[USER_DATA.index() as usize] = flat_segment(false, Ring::Ring3);
        gdt[TSS.index() as usize] = tss_descriptor(tss);
        gdt[DOUBLE_FAULT_TSS.index() as usize] = tss_descriptor(df);

        lgdt(&DescriptorTablePointer::new_from_slice(&gdt[..]));
        x86::bits32::segmentation::load_cs(KERNEL_CODE);
        x86::segmentation::load_ds(KERNEL_DATA);
        x86::segmentation::load_es(KERNEL_DATA);
        x86::segmentation::load_fs(KERNEL_DATA);
        x86::segmentation::load_gs(KERNEL_DATA);
        x86::segmentation::load_ss(KERNEL_DATA);
        x86::task::load_tr(TSS);
    }
}

/// Sets the stack the CPU switches to when an interrupt or system call arrives from user
/// mode: the top of the kernel stack of the thread about to run.
pub fn set_kernel_stack(top: usize) {
    // SAFETY: called by the scheduler with interrupts off; the CPU reads esp0 only when it
    // takes an interrupt from ring 3, which cannot happen while we are here in ring 0.
    unsafe { (*TASK_STATE.0.get()).esp0 = top as u32 };
}

/// What the CPU saved in the main TSS when the double fault switched tasks.
pub struct InterruptedTask {
    pub eip: u32,
    pub esp: u32,
    pub ebp: u32,
}

/// The state of the task the double fault interrupted.
pub fn interrupted_task() -> InterruptedTask {
    // SAFETY: read by the double-fault task after the CPU stored the state; nothing else
    // writes the TSS now.
    let tss = unsafe { &*TASK_STATE.0.get() };
    InterruptedTask { eip: tss.eip, esp: tss.esp, ebp: tss.ebp }
}
