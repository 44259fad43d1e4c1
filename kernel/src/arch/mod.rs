//! The i386 layer: everything that knows it runs on an i386 PC — boot, descriptor tables,
//! interrupt entry, the interrupt controllers and timer chip, paging structures, context
//! switching, port I/O, PCI configuration space, and 64-bit values shared without 64-bit
//! atomic instructions (`locked_u64`). Code outside `arch` reaches the hardware only through here.
pub mod acpi;
pub mod apic;
pub mod boot;
pub mod cpu;
pub mod gdt;
pub mod idt;
pub mod layout;
pub mod locked_u64;
pub mod multiboot;
pub mod paging;
pub mod pci;
pub mod percpu;
pub mod pic;
pub mod pit;
pub mod smp;
pub mod switch;
pub mod tlb;
pub mod uart;
pub mod vga;
