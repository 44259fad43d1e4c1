//! Where things are in the kernel's address space: every page of physical memory is mapped
//! at PHYS_BASE (3 GiB) and up, so the kernel reaches physical address `p` at `PHYS_BASE + p`.
//! User programs own everything below PHYS_BASE.

pub const PHYS_BASE: usize = rintos_abi::PHYS_BASE as usize;
pub const PAGE_SIZE: usize = rintos_abi::PAGE_SIZE;

/// Where the other CPUs start (see `smp`): page 8 of physical memory, in the conventional
/// memory below 1 MiB that the page pools otherwise use.
pub const AP_TRAMPOLINE: usize = 0x8000;

/// The kernel virtual address of physical address `phys`.
pub const fn phys_to_virt(phys: usize) -> usize {
    phys + PHYS_BASE
}

/// The physical address behind kernel virtual address `virt`.
pub fn virt_to_phys(virt: usize) -> usize {
    assert!(virt >= PHYS_BASE, "{virt:#x} is not a kernel address");
    virt - PHYS_BASE
}

/// Where the kernel sees the interrupt controllers' registers: the 4 MiB of physical
/// address space from [`DEVICE_WINDOW_PHYSICAL`] (the I/O APIC at its start, the local APIC
/// at 2 MiB in), mapped uncached at the very top of the address space, above all RAM.
pub const DEVICE_WINDOW: usize = 0xFFC0_0000;
pub const DEVICE_WINDOW_PHYSICAL: usize = 0xFEC0_0000;
pub const DEVICE_WINDOW_SIZE: usize = 4 * 1024 * 1024;

/// The kernel address of device register `phys`, which must lie in the device window.
pub fn device_to_virt(phys: usize) -> usize {
    assert!(
        (DEVICE_WINDOW_PHYSICAL..DEVICE_WINDOW_PHYSICAL + DEVICE_WINDOW_SIZE).contains(&phys),
        "device registers at {phys:#x} lie outside the window the kernel maps"
    );
    DEVICE_WINDOW + (phys - DEVICE_WINDOW_PHYSICAL)
}
