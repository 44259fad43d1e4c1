//! Reading the information a Multiboot v1 loader (QEMU's `-kernel`) leaves for the kernel:
//! the memory map, the command line, and modules (Rintos' symbol table arrives as one).

use super::layout::phys_to_virt;

/// Value of `eax` at entry when a Multiboot loader started us.
pub const BOOTLOADER_MAGIC: u32 = 0x2BAD_B002;

const FLAG_MEMORY: u32 = 1 << 0;
const FLAG_CMDLINE: u32 = 1 << 2;
const FLAG_MODULES: u32 = 1 << 3;
const FLAG_MEMORY_MAP: u32 = 1 << 6;

#[repr(C)]
struct RawInfo {
    flags: u32,
    mem_lower: u32,
    mem_upper: u32,
    boot_device: u32,
    cmdline: u32,
    mods_count: u32,
    mods_addr: u32,
    syms: [u32; 4],
    mmap_length: u32,
    mmap_addr: u32,
}

#[repr(C)]
struct RawModule {
    start: u32,
    end: u32,
    string: u32,
    reserved: u32,
}

#[repr(C, packed)]
struct RawMemoryRegion {
    size: u32,
    base: u64,
    length: u64,
    kind: u32,
}

/// A region of physical memory the firmware reports.
#[derive(Clone, Copy, Debug)]
pub struct MemoryRegion {
    pub start: u64,
    pub length: u64,
    pub usable: bool,
}

/// What the loader told us, copied out of its structures.
pub struct BootInfo {
    info: &'static RawInfo,
    /// Physical address of `info`.
    address: usize,
}

impl BootInfo {
    /// Interprets the structure at physical address `addr`.
    ///
    /// # Safety
    /// `addr` must be the `ebx` value a Multiboot loader passed, and low memory must be mapped
    /// at PHYS_BASE.
    pub unsafe fn from_physical(addr: u32) -> BootInfo {
        // SAFETY: guaranteed by the caller.
        BootInfo { info: unsafe { &*(phys_to_virt(addr as usize) as *const RawInfo) }, address: addr as usize }
    }

    fn has(&self, flag: u32) -> bool {
        self.info.flags & flag != 0
    }

    fn raw_command_line(&self) -> &'static [u8] {
        if !self.has(FLAG_CMDLINE) || self.info.cmdline == 0 {
            return &[];
        }
        // SAFETY: the loader stores a NUL-terminated string in memory that `memory::init`
        // keeps out of the page pools (see `end_of_loader_data`).
        let cstr = unsafe { core::ffi::CStr::from_ptr(phys_to_virt(self.info.cmdline as usize) as *const _) };
        cstr.to_bytes()
    }

    /// The kernel command line, without the kernel's own file name that Multiboot loaders
    /// put first.
    pub fn command_line(&self) -> &'static str {
        let line = core::str::from_utf8(self.raw_command_line()).unwrap_or("");
        line.split_once(' ').map_or("", |(_, arguments)| arguments)
    }

    /// The physical byte ranges `[start, end)` of everything the loader left that the kernel
    /// reads after boot: this structure, the memory map, the module list, the command line
    /// and the first module (QEMU keeps the structure and the map in low memory, the
    /// command line and modules right after the kernel image). The page pools leave them
    /// alone.
    pub fn loader_data(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let whole = |start: usize, length: usize| (length > 0).then_some((start, start + length));
        let memory_map = self.has(FLAG_MEMORY_MAP).then(|| whole(self.info.mmap_addr as usize, self.info.mmap_length as usize));
        let modules = self.has(FLAG_MODULES).then(|| {
            whole(self.info.mods_addr as usize, self.info.mods_count as usize * core::mem::size_of::<RawModule>())
        });
        let command_line = self.has(FLAG_CMDLINE).then(|| whole(self.info.cmdline as usize, self.raw_command_line().len() + 1));
        [
            whole(self.address, core::mem::size_of::<RawInfo>()),
            memory_map.flatten(),
            modules.flatten(),
            command_line.flatten(),
            self.first_module(),
        ]
        .into_iter()
        .flatten()
    }

    /// Kilobytes of memory above 1 MiB, as the BIOS counts it.
    pub fn upper_memory_kb(&self) -> u32 {
        if self.has(FLAG_MEMORY) { self.info.mem_upper } else { 0 }
    }

    /// The firmware's memory map.
    pub fn memory_regions(&self) -> impl Iterator<Item = MemoryRegion> + '_ {
        let (mut at, end) = if self.has(FLAG_MEMORY_MAP) {
            let start = self.info.mmap_addr as usize;
            (start, start + self.info.mmap_length as usize)
        } else {
            (0, 0)
        };
        core::iter::from_fn(move || {
            if at >= end {
                return None;
            }
            // SAFETY: the entries lie inside the loader's map buffer, in mapped low memory;
            // `read_unaligned` because the records are packed.
            let raw = unsafe { core::ptr::read_unaligned(phys_to_virt(at) as *const RawMemoryRegion) };
            at += raw.size as usize + 4;
            Some(MemoryRegion { start: raw.base, length: raw.length, usable: raw.kind == 1 })
        })
    }

    /// The physical byte range of the first module, if the loader was given one.
    pub fn first_module(&self) -> Option<(usize, usize)> {
        if !self.has(FLAG_MODULES) || self.info.mods_count == 0 {
            return None;
        }
        // SAFETY: the module list lies in low memory, mapped at boot.
        let module = unsafe { &*(phys_to_virt(self.info.mods_addr as usize) as *const RawModule) };
        Some((module.start as usize, module.end as usize))
    }
}
