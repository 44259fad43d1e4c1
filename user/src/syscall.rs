//! The system calls of Pintos (`lib/user/syscall.h`), made the way `lib/user/syscall.c`
//! makes them: push the arguments right to left, push the call number, `int $0x30`, pop.
//! The kernel therefore finds the number at `[esp]` and argument *n* at `[esp + 4 + 4n]`,
//! and returns the result in `eax`; every other register survives.
//!
//! [`raw`] has the C prototypes, taking raw pointers, for tests that pass deliberately bad
//! ones. The functions at the top level take `&CStr` and slices, for ordinary programs.
//! Results keep the classic integer conventions (`-1` for failure, file descriptors
//! `> 1`), which the tests compare against.
use core::arch::asm;
use core::ffi::CStr;

use rintos_abi::{NAME_MAX, nr};

/// A process id as `exec` returns it; `PID_ERROR` (-1) on failure.
pub type Pid = i32;
/// A memory-mapping id as `mmap` returns it; `MAP_FAILED` (-1) on failure.
pub type MapId = i32;

pub use rintos_abi::{MAP_FAILED, PID_ERROR, STDIN_FILENO, STDOUT_FILENO};

/// A directory entry name as `readdir` stores it: up to 14 bytes, NUL-terminated.
pub type DirEntryName = [u8; NAME_MAX + 1];

// The kernel preserves every register except eax, and the asm blocks declare eax as their
// only output; memory counts as clobbered (the default for asm!). The kernel writes to our
// memory only for READ, READDIR and Rintos' statistics and process calls: their wrappers
// below pass buffers they own, or are `unsafe` themselves. Every other call at most reads
// what we pass.

#[inline(always)]
fn syscall0(number: u32) -> u32 {
    let result;
    // SAFETY: the trap only reads the number we pushed, and pops it again.
    unsafe {
        asm!("push {number}", "int 0x30", "add esp, 4",
             number = in(reg) number, lateout("eax") result);
    }
    result
}

#[inline(always)]
fn syscall1(number: u32, arg0: u32) -> u32 {
    let result;
    // SAFETY: as in `syscall0`, and the kernel writes only where the comment above says.
    unsafe {
        asm!("push {arg0}", "push {number}", "int 0x30", "add esp, 8",
             number = in(reg) number, arg0 = in(reg) arg0, lateout("eax") result);
    }
    result
}

#[inline(always)]
fn syscall2(number: u32, arg0: u32, arg1: u32) -> u32 {
    let result;
    // SAFETY: as in `syscall1`.
    unsafe {
        asm!("push {arg1}", "push {arg0}", "push {number}", "int 0x30", "add esp, 12",
             number = in(reg) number, arg0 = in(reg) arg0, arg1 = in(reg) arg1,
             lateout("eax") result);
    }
    result
}

#[inline(always)]
fn syscall3(number: u32, arg0: u32, arg1: u32, arg2: u32) -> u32 {
    let result;
    // SAFETY: as in `syscall1`.
    unsafe {
        asm!("push {arg2}", "push {arg1}", "push {arg0}", "push {number}", "int 0x30",
             "add esp, 16",
             number = in(reg) number, arg0 = in(reg) arg0, arg1 = in(reg) arg1,
             arg2 = in(reg) arg2, lateout("eax") result);
    }
    result
}

/// The classic prototypes, with raw pointers, for the tests that hand the kernel strange
/// addresses. Calls that only let the kernel *read* through a pointer are safe: a bad
/// pointer gets this process killed, it cannot corrupt it.
pub mod raw {
    use super::*;

    /// Starts the program named by the first word of the C string at `cmd_line`, passing
    /// all words as its arguments. Returns its pid once it has loaded, or `PID_ERROR`.
    pub fn exec(cmd_line: *const u8) -> Pid {
        syscall1(nr::EXEC, cmd_line as u32) as Pid
    }

    /// Creates file `name` of `initial_size` zero bytes; false if it cannot.
    pub fn create(name: *const u8, initial_size: u32) -> bool {
        syscall2(nr::CREATE, name as u32, initial_size) != 0
    }

    /// Removes file `name`; open descriptors keep working.
    pub fn remove(name: *const u8) -> bool {
        syscall1(nr::REMOVE, name as u32) != 0
    }

    /// Opens file `name`; returns a descriptor `> 1` or -1.
    pub fn open(name: *const u8) -> i32 {
        syscall1(nr::OPEN, name as u32) as i32
    }

    /// Reads up to `length` bytes into `buffer`; returns the count, 0 at end of file.
    ///
    /// # Safety
    /// The kernel writes up to `length` bytes at `buffer`: they must be ours to
    /// overwrite, or not writable by us at all (then the kernel kills the process).
    pub unsafe fn read(fd: i32, buffer: *mut u8, length: u32) -> i32 {
        syscall3(nr::READ, fd as u32, buffer as u32, length) as i32
    }

    /// Writes `length` bytes from `buffer`; returns the count written.
    pub fn write(fd: i32, buffer: *const u8, length: u32) -> i32 {
        syscall3(nr::WRITE, fd as u32, buffer as u32, length) as i32
    }

    /// Copies as many whole process records as fit in `size` bytes at `buffer`; returns how
    /// many processes there are (see [`rintos_abi::nr::PROCESS_LIST`]).
    ///
    /// # Safety
    /// As for [`read`]: the kernel writes up to `size` bytes at `buffer`.
    pub unsafe fn process_list(buffer: *mut u8, size: u32) -> u32 {
        syscall2(nr::PROCESS_LIST, buffer as u32, size)
    }
}

/// Powers the machine off.
pub fn halt() -> ! {
    syscall0(nr::HALT);
    panic!("halt() returned");
}

/// Ends this process with `status`, which its parent's `wait` returns.
pub fn exit(status: i32) -> ! {
    syscall1(nr::EXIT, status as u32);
    panic!("exit() returned");
}

/// [`exit`] for the panic handler, which must not panic again if the kernel returns.
pub(crate) fn exit_after_panic(status: i32) -> ! {
    syscall1(nr::EXIT, status as u32);
    // SAFETY: `ud2` only raises an invalid-opcode fault, for which the kernel kills us.
    unsafe { asm!("ud2", options(noreturn)) }
}

/// Runs `cmd_line` as a child process; see [`raw::exec`].
pub fn exec(cmd_line: &CStr) -> Pid {
    raw::exec(cmd_line.as_ptr().cast())
}

/// Waits for child `pid` to exit and returns its status; -1 if it was killed, is not our
/// child, or was already waited for.
pub fn wait(pid: Pid) -> i32 {
    syscall1(nr::WAIT, pid as u32) as i32
}

/// Creates file `name` of `initial_size` zero bytes.
pub fn create(name: &CStr, initial_size: u32) -> bool {
    raw::create(name.as_ptr().cast(), initial_size)
}

/// Removes file `name`.
pub fn remove(name: &CStr) -> bool {
    raw::remove(name.as_ptr().cast())
}

/// Opens file (or, where the kernel supports it, directory) `name`.
pub fn open(name: &CStr) -> i32 {
    raw::open(name.as_ptr().cast())
}

/// The size of open file `fd` in bytes.
pub fn filesize(fd: i32) -> i32 {
    syscall1(nr::FILESIZE, fd as u32) as i32
}

/// Reads into `buffer`; returns the number of bytes read (0 at end of file, -1 on error).
pub fn read(fd: i32, buffer: &mut [u8]) -> i32 {
    // SAFETY: the kernel writes at most `buffer.len()` bytes into our own buffer.
    unsafe { raw::read(fd, buffer.as_mut_ptr(), buffer.len() as u32) }
}

/// Writes `buffer`; returns the number of bytes written. Console writes (fd 1) reach the
/// screen in one piece.
pub fn write(fd: i32, buffer: &[u8]) -> i32 {
    raw::write(fd, buffer.as_ptr(), buffer.len() as u32)
}

/// Moves the position of `fd` to `position` bytes from the start.
pub fn seek(fd: i32, position: u32) {
    syscall2(nr::SEEK, fd as u32, position);
}

/// The position of `fd`.
pub fn tell(fd: i32) -> u32 {
    syscall1(nr::TELL, fd as u32)
}

/// Closes `fd`.
pub fn close(fd: i32) {
    syscall1(nr::CLOSE, fd as u32);
}

/// Maps open file `fd` at page-aligned `address` (the file's pages, zero-filled after its
/// end); returns a mapping id or `MAP_FAILED`. The kernel refuses to map over anything
/// already mapped, so this cannot disturb memory the program uses.
pub fn mmap(fd: i32, address: usize) -> MapId {
    syscall2(nr::MMAP, fd as u32, address as u32) as MapId
}

/// Removes a mapping, writing its dirty pages back to the file.
pub fn munmap(mapping: MapId) {
    syscall1(nr::MUNMAP, mapping as u32);
}

/// Stores the next entry of directory `fd` in `name`; false when there are no more.
pub fn readdir(fd: i32, name: &mut DirEntryName) -> bool {
    syscall2(nr::READDIR, fd as u32, name.as_mut_ptr() as u32) != 0
}

/// Whether `fd` is a directory.
pub fn isdir(fd: i32) -> bool {
    syscall1(nr::ISDIR, fd as u32) != 0
}

/// The inode number of `fd`.
pub fn inumber(fd: i32) -> i32 {
    syscall1(nr::INUMBER, fd as u32) as i32
}

// Rintos' own calls, numbered above the classic range.

/// The kernel's virtual-memory counters now (`vm_stats`). They are global, not per process:
/// a test reads them before and after what it measures and allows for whatever else runs.
pub fn vm_stats() -> rintos_abi::VmStats {
    let mut words = [0u64; rintos_abi::VmStats::FIELDS];
    let size = core::mem::size_of_val(&words);
    let copied = (syscall2(nr::VM_STATS, words.as_mut_ptr() as u32, size as u32) as usize).min(size);
    // The kernel copies little-endian u64s, which is how an i386 stores them.
    rintos_abi::VmStats::from_array(&words[..copied / 8])
}

/// How many frames hold shared pages of the executable open as `fd` (`file_frames`); -1 for
/// a bad descriptor.
pub fn file_frames(fd: i32) -> i32 {
    syscall1(nr::FILE_FRAMES, fd as u32) as i32
}

/// The kernel's fault-latency histogram of one fault class (`fault_latency`).
pub fn fault_latency(class: rintos_abi::latency::FaultClass) -> rintos_abi::latency::Histogram {
    let mut histogram = rintos_abi::latency::Histogram::default();
    let size = core::mem::size_of_val(&histogram.counts) as u32;
    syscall3(nr::FAULT_LATENCY, class as u32, histogram.counts.as_mut_ptr() as u32, size);
    histogram
}

/// Every process, in pid order, as many as fit in `records` (`process_list`). Returns how
/// many processes there are: more than `records.len()` means some did not fit.
pub fn process_list(records: &mut [rintos_abi::ProcessInfo]) -> usize {
    let size = core::mem::size_of_val(records) as u32;
    // SAFETY: the kernel writes at most `size` bytes into our own records, whole records in
    // their wire form, which is `ProcessInfo`'s layout on i386; any bytes make a valid one.
    unsafe { raw::process_list(records.as_mut_ptr().cast(), size) as usize }
}
