//! What the firmware says about the machine: its CPUs and interrupt controllers, read from
//! the ACPI tables (the MADT, "multiple APIC description table") with the `acpi` crate.
//! QEMU's firmware builds them before it starts the kernel.

use alloc::vec::Vec;
use core::ptr::NonNull;

use acpi::platform::interrupt::{InterruptModel, Polarity, TriggerMode};
use acpi::platform::ProcessorState;
use acpi::{AcpiHandler, AcpiTables, PhysicalMapping, PlatformInfo};

use super::layout::phys_to_virt;

/// How one ISA interrupt line reaches the I/O APIC.
#[derive(Clone, Copy, Debug)]
pub struct IsaRoute {
    pub irq: u8,
    /// Its input on the I/O APIC (a "global system interrupt").
    pub gsi: u32,
    pub active_low: bool,
    pub level_triggered: bool,
}

/// The machine as the tables describe it.
pub struct Platform {
    /// Physical address of the local APICs' registers (each CPU sees its own there).
    pub local_apic: usize,
    /// Physical address of the I/O APIC that serves the ISA interrupts, and its first input.
    pub io_apic: usize,
    pub io_apic_first_gsi: u32,
    /// The local APIC ids of the CPUs that can run, the boot CPU first.
    pub cpus: Vec<u32>,
    /// The ISA lines that do not arrive on the I/O APIC input of their own number.
    pub overrides: Vec<IsaRoute>,
}

impl Platform {
    /// The route of ISA interrupt `irq`.
    pub fn isa_route(&self, irq: u8) -> IsaRoute {
        self.overrides.iter().copied().find(|route| route.irq == irq).unwrap_or(IsaRoute {
            irq,
            gsi: u32::from(irq),
            active_low: false,
            level_triggered: false,
        })
    }
}

/// All physical memory the tables live in is mapped at PHYS_BASE already.
#[derive(Clone, Copy)]
struct DirectMap;

impl AcpiHandler for DirectMap {
    unsafe fn map_physical_region<T>(&self, physical_address: usize, size: usize) -> PhysicalMapping<Self, T> {
        let virtual_address = NonNull::new(phys_to_virt(physical_address) as *mut T).expect("a mapped table");
        // SAFETY: the caller guarantees a valid `T` at `physical_address`, and the kernel maps
        // that memory at `virtual_address` for as long as it runs.
        unsafe { PhysicalMapping::new(physical_address, virtual_address, size, size, DirectMap) }
    }

    fn unmap_physical_region<T>(_region: &PhysicalMapping<Self, T>) {}
}

/// Reads the tables. Panics with a clear message on a machine without them: Rintos needs
/// local APICs (for the timer and other CPUs) and an I/O APIC (for the devices).
pub fn discover() -> Platform {
    // SAFETY: the BIOS areas where the firmware leaves the RSDP are mapped (low memory).
    let tables = unsafe { AcpiTables::search_for_rsdp_bios(DirectMap) }.expect("no ACPI tables: Rintos needs an APIC machine");
    let info = PlatformInfo::new(&tables).expect("unreadable ACPI tables");
    let InterruptModel::Apic(apic) = info.interrupt_model else {
        panic!("the ACPI tables describe no APIC: Rintos needs one");
    };
    let io_apic = apic.io_apics.first().expect("no I/O APIC in the ACPI tables");
    let processors = info.processor_info.expect("no processors in the ACPI tables");
    let cpus = core::iter::once(processors.boot_processor.local_apic_id)
        .chain(
            processors
                .application_processors
                .iter()
                .filter(|cpu| cpu.state != ProcessorState::Disabled)
                .map(|cpu| cpu.local_apic_id),
        )
        .collect();
    let overrides = apic
        .interrupt_source_overrides
        .iter()
        .map(|entry| IsaRoute {
            irq: entry.isa_source,
            gsi: entry.global_system_interrupt,
            active_low: matches!(entry.polarity, Polarity::ActiveLow),
            level_triggered: matches!(entry.trigger_mode, TriggerMode::Level),
        })
        .collect();
    Platform {
        local_apic: apic.local_apic_address as usize,
        io_apic: io_apic.address as usize,
        io_apic_first_gsi: io_apic.global_system_interrupt_base,
        cpus,
        overrides,
    }
}
