//! Where things are in the kernel's address space: every page of physical memory is mapped
//! at PHYS_BASE (3 GiB) and up, so the kernel reaches physical address `p` at `PHYS_BASE + p`.
//! User programs own everything below PHYS_BASE.

pub const PHYS_BASE: usize = rintos_abi::PHYS_BASE as usize;
pub const PAGE_SIZE: usize = rintos_abi::PAGE_SIZE;

/// The kernel virtual address of physical address `phys`.
pub const fn phys_to_virt(phys: usize) -> usize {
    phys + PHYS_BASE
}

/// The physical address behind kernel virtual address `virt`.
pub fn virt_to_phys(virt: usize) -> usize {
    assert!(virt >= PHYS_BASE, "{virt:#x} is not a kernel address");
    virt - PHYS_BASE
}
