//! i386 two-level page tables.
//!
//! Kernel space (PHYS_BASE and up) maps all physical memory with 4 MiB global pages; those
//! directory entries are the same in every address space. User space (below PHYS_BASE) is
//! mapped with 4 KiB pages through page tables allocated from the kernel pool.
//!
//! Entries are atomics: the eviction clock of one process reads and clears the accessed bit
//! of another process's entry while the CPU may set the dirty bit of the same entry; an
//! atomic `and` keeps the CPU's update from being lost between our read and our write.

use core::sync::atomic::{AtomicPtr, AtomicU32, AtomicUsize, Ordering};

use conquer_once::spin::OnceCell;
use x86::bits32::paging::{PDFlags, PTFlags};

use super::percpu::{self, MAX_CPUS};
use super::tlb::Shootdown;
use super::cpu;
use super::layout::{DEVICE_WINDOW, DEVICE_WINDOW_PHYSICAL, PAGE_SIZE, PHYS_BASE, phys_to_virt, virt_to_phys};

const ENTRIES: usize = 1024;
const LARGE_PAGE: usize = 4 * 1024 * 1024;
const FIRST_KERNEL_PDE: usize = PHYS_BASE / LARGE_PAGE;

#[repr(C, align(4096))]
struct Table([AtomicU32; ENTRIES]);

/// The kernel-only directory, used by kernel threads and as the template of every user one.
static KERNEL_DIRECTORY: Table = Table([const { AtomicU32::new(0) }; ENTRIES]);

/// Where the pages of directories and page tables come from: the kernel's page allocator,
/// which lives above this layer and hands its functions over at boot.
#[derive(Clone, Copy)]
pub struct TablePages {
    /// The kernel virtual address of a fresh zeroed page, or `None` when none is left.
    pub allocate_zeroed: fn() -> Option<usize>,
    /// Gives back a page from `allocate_zeroed`.
    pub free: fn(usize),
}

static TABLE_PAGES: OnceCell<TablePages> = OnceCell::uninit();

fn table_pages() -> &'static TablePages {
    TABLE_PAGES.get().expect("paging::init not called")
}

/// Maps the first `ram_bytes` of physical memory at PHYS_BASE (and nothing below it), turns on
/// global pages, and switches to the result. The boot directory's identity map ends here.
/// User directories and page tables will be made of `pages`.
pub fn init(ram_bytes: usize, pages: TablePages) {
    TABLE_PAGES.init_once(|| pages);
    let flags = PDFlags::P | PDFlags::RW | PDFlags::PS | PDFlags::G;
    for (i, phys) in (0..ram_bytes).step_by(LARGE_PAGE).enumerate() {
        KERNEL_DIRECTORY.0[FIRST_KERNEL_PDE + i].store(phys as u32 | flags.bits(), Ordering::Relaxed);
    }
    // The interrupt controllers' registers: never cached (every access must reach them).
    let uncached = flags | PDFlags::PCD | PDFlags::PWT;
    KERNEL_DIRECTORY.0[DEVICE_WINDOW / LARGE_PAGE].store(DEVICE_WINDOW_PHYSICAL as u32 | uncached.bits(), Ordering::Relaxed);
    enable_global_pages();
    // SAFETY: the new directory maps the running kernel at the same addresses as the boot
    // directory.
    unsafe { cpu::set_cr3(kernel_directory()) };
}

/// Lets this CPU keep the kernel's translations (marked global) across address-space
/// switches.
pub fn enable_global_pages() {
    // SAFETY: CR4.PGE only changes how long global translations live in the TLB.
    unsafe { x86::controlregs::cr4_write(x86::controlregs::cr4() | x86::controlregs::Cr4::CR4_ENABLE_GLOBAL_PAGES) };
}

/// The physical address of the kernel-only directory.
pub fn kernel_directory() -> usize {
    virt_to_phys(&KERNEL_DIRECTORY as *const Table as usize)
}

/// Per CPU: the set of CPUs of the user directory it has loaded (`PageDirectory::cpus`), so
/// that loading another one takes the CPU out of that set; null for the kernel's directory.
/// A directory outlives its time on a CPU: the thread that holds it is freed only after the
/// next thread on that CPU has loaded its own directory (see `threads`).
static LOADED: [AtomicPtr<AtomicU32>; MAX_CPUS] = [const { AtomicPtr::new(core::ptr::null_mut()) }; MAX_CPUS];

/// Per CPU: the directory it loaded last (for the double-fault report).
static LAST_LOADED: [AtomicUsize; MAX_CPUS] = [const { AtomicUsize::new(0) }; MAX_CPUS];

/// The physical address of the directory CPU `cpu` loaded last (0: none since boot).
pub fn last_loaded(cpu: usize) -> usize {
    LAST_LOADED[cpu].load(Ordering::Relaxed)
}

/// Whether the directory at `physical` maps the kernel as the kernel's own directory does
/// (every user directory copies those entries when it is made).
pub fn maps_kernel(physical: usize) -> bool {
    // SAFETY: `physical` is a directory some CPU loaded: a page of RAM, mapped at PHYS_BASE.
    let table = unsafe { &*(phys_to_virt(physical) as *const Table) };
    (FIRST_KERNEL_PDE..ENTRIES).all(|i| table.0[i].load(Ordering::Relaxed) == KERNEL_DIRECTORY.0[i].load(Ordering::Relaxed))
}

/// Loads directory `physical` on this CPU, whose user part belongs to the CPU set `cpus`
/// (`None`: the kernel's directory, which has no user part).
fn load(physical: usize, cpus: Option<&AtomicU32>) {
    let was_enabled = cpu::disable_interrupts();
    let me = percpu::id();
    LAST_LOADED[me].store(physical, Ordering::Relaxed);
    let previous = LOADED[me].swap(cpus.map_or(core::ptr::null_mut(), |cpus| (cpus as *const AtomicU32).cast_mut()), Ordering::AcqRel);
    // SAFETY: a directory stays alive while any CPU has it loaded (see `LOADED`).
    if let Some(previous) = unsafe { previous.as_ref() } {
        previous.fetch_and(!(1 << me), Ordering::SeqCst);
    }
    // Join the new set before the first translation is cached: a CPU that unmaps a page
    // reads the set after clearing the entry, so it either sees this CPU or this CPU's
    // walk sees the cleared entry.
    if let Some(cpus) = cpus {
        cpus.fetch_or(1 << me, Ordering::SeqCst);
    }
    // SAFETY: every directory maps the kernel (the user ones copy its entries).
    unsafe { cpu::set_cr3(physical) };
    cpu::restore_interrupts(was_enabled);
}

/// Switches to the kernel-only address space.
pub fn activate_kernel() {
    load(kernel_directory(), None);
}

/// The hardware view of one user page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// Physical address of the frame.
    pub frame: usize,
    pub writable: bool,
    pub accessed: bool,
    pub dirty: bool,
}

/// Out of kernel pages for a page table.
#[derive(Debug)]
pub struct OutOfMemory;

/// A user address space's page directory. Dropping it frees its page tables and itself,
/// never the user frames (the frame table owns those).
pub struct PageDirectory {
    table: &'static Table,
    /// The CPUs that have it loaded, one bit each: the ones whose TLBs may cache its
    /// translations.
    cpus: AtomicU32,
}

impl PageDirectory {
    /// A directory with the kernel mappings and no user pages.
    pub fn new() -> Result<PageDirectory, OutOfMemory> {
        let page = (table_pages().allocate_zeroed)().ok_or(OutOfMemory)?;
        // SAFETY: a fresh, zeroed, page-aligned kernel page is a valid empty table, and
        // nothing else refers to it.
        let table = unsafe { &*(page as *const Table) };
        for i in FIRST_KERNEL_PDE..ENTRIES {
            table.0[i].store(KERNEL_DIRECTORY.0[i].load(Ordering::Relaxed), Ordering::Relaxed);
        }
        Ok(PageDirectory { table, cpus: AtomicU32::new(0) })
    }

    /// Makes this the CPU's address space.
    pub fn activate(&self) {
        load(virt_to_phys(self.table as *const Table as usize), Some(&self.cpus));
    }

    /// Whether a CPU other than this one has the directory loaded (and may write its pages).
    pub fn runs_elsewhere(&self) -> bool {
        self.other_cpus() != 0
    }

    /// The CPUs other than this one that may cache translations of this directory.
    fn other_cpus(&self) -> u32 {
        let was_enabled = cpu::disable_interrupts();
        let others = self.cpus.load(Ordering::SeqCst) & !(1 << percpu::id());
        cpu::restore_interrupts(was_enabled);
        others
    }

    fn is_active(&self) -> bool {
        cpu::cr3() == virt_to_phys(self.table as *const Table as usize)
    }

    fn page_table(&self, upage: usize) -> Option<&'static Table> {
        let pde = self.table.0[upage / LARGE_PAGE].load(Ordering::Relaxed);
        if pde & PDFlags::P.bits() == 0 {
            return None;
        }
        // SAFETY: present user directory entries always point at page tables we allocated.
        Some(unsafe { &*(phys_to_virt((pde & !0xFFF) as usize) as *const Table) })
    }

    fn entry(&self, upage: usize) -> Option<&'static AtomicU32> {
        debug_assert!(upage < PHYS_BASE && upage % PAGE_SIZE == 0);
        self.page_table(upage).map(|pt| &pt.0[(upage / PAGE_SIZE) % ENTRIES])
    }

    /// Makes sure the page table covering `upage` exists, so that mapping pages there later
    /// cannot fail for lack of memory (the loader prepares every table a program starts with).
    pub fn prepare(&self, upage: usize) -> Result<(), OutOfMemory> {
        assert!(upage < PHYS_BASE, "preparing kernel address {upage:#x} as a user page");
        let pde = &self.table.0[upage / LARGE_PAGE];
        if pde.load(Ordering::Relaxed) & PDFlags::P.bits() == 0 {
            let page = (table_pages().allocate_zeroed)().ok_or(OutOfMemory)?;
            let flags = PDFlags::P | PDFlags::RW | PDFlags::US;
            pde.store(virt_to_phys(page) as u32 | flags.bits(), Ordering::Relaxed);
        }
        Ok(())
    }

    /// Maps user page `upage` to the frame at physical address `frame`.
    pub fn map(&self, upage: usize, frame: usize, writable: bool) -> Result<(), OutOfMemory> {
        self.prepare(upage)?;
        let mut flags = PTFlags::P | PTFlags::US;
        if writable {
            flags |= PTFlags::RW;
        }
        let entry = self.entry(upage).expect("page table just installed");
        entry.store(frame as u32 | flags.bits(), Ordering::Release);
        Ok(())
    }

    /// Removes the mapping of `upage` and returns what it was. Other CPUs that may still
    /// cache it are added to `shootdown`: until it has run, they may still read and write
    /// the page, and the dirty bit returned here is final only once it has.
    pub fn unmap(&self, upage: usize, shootdown: &mut Shootdown) -> Option<Mapping> {
        let old = self.entry(upage)?.swap(0, Ordering::SeqCst);
        if self.is_active() {
            cpu::invalidate_page(upage);
        }
        shootdown.add(self.other_cpus(), upage);
        decode(old)
    }

    /// The current mapping of `upage`, if any.
    pub fn lookup(&self, upage: usize) -> Option<Mapping> {
        decode(self.entry(upage)?.load(Ordering::Acquire))
    }

    /// Clears the accessed bit of `upage` and reports whether it was set: one step of the
    /// clock's second chance.
    pub fn take_accessed(&self, upage: usize) -> bool {
        self.clear_flag(upage, PTFlags::A)
    }

    /// Clears the dirty bit of `upage`, which stays mapped, and reports whether it was set:
    /// its content is about to be written out. Other CPUs that may cache the entry with the
    /// bit set are added to `shootdown`: until it has run they may write the page without
    /// setting the bit again, so a copy of the page is complete only once it has.
    pub fn take_dirty(&self, upage: usize, shootdown: &mut Shootdown) -> bool {
        let was_dirty = self.clear_flag(upage, PTFlags::D);
        shootdown.add(self.other_cpus(), upage);
        was_dirty
    }

    fn clear_flag(&self, upage: usize, flag: PTFlags) -> bool {
        let Some(entry) = self.entry(upage) else { return false };
        let old = entry.fetch_and(!flag.bits(), Ordering::AcqRel);
        if old & flag.bits() != 0 && self.is_active() {
            // The TLB may cache the entry with the bit set; flush so the CPU sets it again.
            cpu::invalidate_page(upage);
        }
        old & flag.bits() != 0
    }
}

fn decode(entry: u32) -> Option<Mapping> {
    let flags = PTFlags::from_bits_truncate(entry);
    flags.contains(PTFlags::P).then(|| Mapping {
        frame: (entry & !0xFFF) as usize,
        writable: flags.contains(PTFlags::RW),
        accessed: flags.contains(PTFlags::A),
        dirty: flags.contains(PTFlags::D),
    })
}

impl Drop for PageDirectory {
    fn drop(&mut self) {
        if self.is_active() {
            activate_kernel();
        }
        debug_assert_eq!(self.cpus.load(Ordering::SeqCst), 0, "a page directory freed while a CPU has it loaded");
        for pde in &self.table.0[..FIRST_KERNEL_PDE] {
            let value = pde.load(Ordering::Relaxed);
            if value & PDFlags::P.bits() != 0 {
                (table_pages().free)(phys_to_virt((value & !0xFFF) as usize));
            }
        }
        (table_pages().free)(self.table as *const Table as usize);
    }
}
