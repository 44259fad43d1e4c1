//! Kernel panics: print where and why, a call stack, then stop QEMU with a failure status.
//! Never hang: a panic inside the panic path, or before anything is set up, still reaches
//! the exit.
//!
//! The runner passes the kernel's symbol table as a Multiboot module (`-initrd`), one line
//! per function, `<start hex> <size hex> <name>`; it lets the panic message name the
//! function that panicked. The call stack is printed as addresses, which the runner
//! turns into file:line and function names.

use core::fmt::{self, Write as _};
use core::panic::PanicInfo;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};

use crate::arch::{cpu, gdt, idt, paging, percpu};
use crate::threads::Thread;
use crate::console::print_unlocked;
use crate::devices::shutdown;
use crate::memory::phys_to_virt;

static PANICKING: AtomicBool = AtomicBool::new(false);
static SYMBOLS: AtomicUsize = AtomicUsize::new(0);
static SYMBOLS_LEN: AtomicUsize = AtomicUsize::new(0);
const MAX_FRAMES: usize = 32;

/// Remembers where the symbol table module lies (physical addresses).
pub fn set_symbol_table(start: usize, end: usize) {
    SYMBOLS.store(phys_to_virt(start), Ordering::Relaxed);
    SYMBOLS_LEN.store(end - start, Ordering::Relaxed);
}

fn symbol_table() -> &'static str {
    let (start, len) = (SYMBOLS.load(Ordering::Relaxed), SYMBOLS_LEN.load(Ordering::Relaxed));
    if start == 0 {
        return "";
    }
    // SAFETY: the module's pages are reserved at boot and never reused.
    let bytes = unsafe { core::slice::from_raw_parts(start as *const u8, len) };
    core::str::from_utf8(bytes).unwrap_or("")
}

/// The function containing `address`, if the symbol table knows it.
fn function_at(address: usize) -> Option<&'static str> {
    symbol_table().lines().find_map(|line| {
        let mut fields = line.splitn(3, ' ');
        let start = usize::from_str_radix(fields.next()?, 16).ok()?;
        let size = usize::from_str_radix(fields.next()?, 16).ok()?;
        let name = fields.next()?;
        (start <= address && address < start + size.max(1)).then_some(name)
    })
}

/// Whether a frame belongs to the machinery of panicking rather than to the code that
/// panicked.
fn is_panic_machinery(name: &str) -> bool {
    name.starts_with("core::panicking")
        || name.starts_with("core::option::expect")
        || name.starts_with("core::result::unwrap_failed")
        || name.starts_with("core::slice::index")
        || name.starts_with("core::cell::panic")
        || name.starts_with("rust_begin_unwind")
        || name.contains("panic::panic")
}

/// Prints the classic panic report and stops the machine. `ebp` is where the call stack
/// starts.
pub fn report(file: &str, line: u32, message: fmt::Arguments, ebp: usize) -> ! {
    cpu::disable_interrupts();
    if PANICKING.swap(true, Ordering::SeqCst) {
        // Only fixed text and the call stack: whatever failed may fail again.
        print_unlocked(format_args!("Kernel PANIC recursion at {file}:{line}.\n"));
        print_call_stack(ebp);
        shutdown::fail();
    }
    let function = cpu::call_stack(ebp, MAX_FRAMES)
        .filter_map(|address| function_at(address - 1))
        .find(|name| !is_panic_machinery(name))
        .unwrap_or("?");
    // What was printed before the panic goes out first (the checkers look for the lines a
    // test printed before its panic). The locks of the console may be taken out of order
    // now: the lock-order checker has nothing more to say.
    crate::sync::order::stop_checking();
    crate::console::flush();
    print_unlocked(format_args!("Kernel PANIC at {file}:{line} in {function}(): {message}\n"));
    print_call_stack(ebp);
    shutdown::fail()
}

/// `Call stack: 0x... 0x... .`, the classic line the runner symbolizes.
fn print_call_stack(ebp: usize) {
    let mut stack = StackLine::default();
    for address in cpu::call_stack(ebp, MAX_FRAMES) {
        let _ = write!(stack, " {address:#x}");
    }
    print_unlocked(format_args!("Call stack:{} .\n", stack.as_str()));
}

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    let (file, line) = info.location().map_or(("?", 0), |l| (l.file(), l.line()));
    report(file, line, format_args!("{}", info.message()), cpu::frame_pointer())
}

/// A fixed buffer for the call-stack line (the heap may be what broke).
struct StackLine {
    bytes: [u8; 12 * MAX_FRAMES],
    len: usize,
}

impl Default for StackLine {
    fn default() -> StackLine {
        StackLine { bytes: [0; 12 * MAX_FRAMES], len: 0 }
    }
}

impl StackLine {
    fn as_str(&self) -> &str {
        core::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl fmt::Write for StackLine {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = (self.len + s.len()).min(self.bytes.len());
        self.bytes[self.len..end].copy_from_slice(&s.as_bytes()[..end - self.len]);
        self.len = end;
        Ok(())
    }
}

/// Checksums of the descriptor tables once every CPU is up, which the double-fault report
/// compares with the tables as they are then (0: not taken yet).
static BOOT_GDT: AtomicU32 = AtomicU32::new(0);
static BOOT_IDT: AtomicU32 = AtomicU32::new(0);

/// Remembers the descriptor tables as they are at the end of boot.
pub fn remember_descriptor_tables() {
    BOOT_GDT.store(gdt::checksum(), Ordering::Relaxed);
    BOOT_IDT.store(idt::checksum(), Ordering::Relaxed);
}

fn as_at_boot(boot: &AtomicU32, now: u32) -> &'static str {
    match boot.load(Ordering::Relaxed) {
        0 => "not yet recorded",
        at_boot if at_boot == now => "as at boot",
        _ => "CHANGED since boot",
    }
}

/// The double-fault task (see `arch::gdt`): runs on its own stack, so it can report what
/// the CPU that faulted was doing even when its kernel stack has overflowed. It says where
/// that CPU was, on which thread's stack and with which page directory, and whether the
/// descriptor tables are still what they were at boot: what a double fault's cause is
/// usually found among.
pub extern "C" fn double_fault_task() -> ! {
    let faulted = gdt::interrupted_task();
    let cpu = faulted.cpu.unwrap_or(0);
    let thread_word = percpu::current_thread_word_of(cpu);
    // SAFETY: the word names the thread the CPU was running, which stays allocated while it
    // is that CPU's current thread; nothing runs on that CPU now.
    let thread = unsafe { (thread_word as *const Thread).as_ref() };
    let (name, bottom, top) = thread.map_or(("?", 0, 0), |thread| (thread.name(), thread.stack_bottom(), thread.stack_top()));
    let esp = faulted.esp as usize;
    let stack = if !(bottom..top).contains(&esp) {
        "OUTSIDE its stack"
    } else if esp - bottom < 512 {
        "at the bottom of its stack: a kernel stack overflow"
    } else {
        "within its stack"
    };
    let cr3 = paging::last_loaded(cpu);
    let directory = if cr3 == 0 || paging::maps_kernel(cr3) { "maps the kernel" } else { "DOES NOT map the kernel" };
    report(
        file!(),
        line!(),
        format_args!(
            "double fault at eip={:#x} esp={:#x} cs={:#x} eflags={:#x} on CPU {cpu}: thread '{name}', stack {bottom:#x}-{top:#x}, esp {stack}, TSS esp0 {:#x}{}; page directory {cr3:#x} {directory}; GDT {}, IDT {}",
            faulted.eip,
            faulted.esp,
            faulted.cs,
            faulted.eflags,
            faulted.esp0,
            if faulted.esp0 as usize == top { " (its top)" } else { " (NOT its top)" },
            as_at_boot(&BOOT_GDT, gdt::checksum()),
            as_at_boot(&BOOT_IDT, idt::checksum()),
        ),
        faulted.ebp as usize,
    )
}
