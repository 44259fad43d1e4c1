//! The binary interface between Rintos and its user programs, shared by the kernel, the
//! user runtime and the host tools so that a number is written down exactly once.
//!
//! Everything here follows the classic Pintos user library: programs built for Pintos run
//! unchanged on Rintos.
#![no_std]

/// The lowest kernel virtual address; user addresses are below it.
pub const PHYS_BASE: u32 = 0xC000_0000;
/// Bytes in a page.
pub const PAGE_SIZE: usize = 4096;
/// Where user executables are linked (the first PT_LOAD usually starts here).
pub const USER_CODE_BASE: u32 = 0x0804_8000;
/// The maximum size of the user stack; stack growth beyond it kills the process.
pub const STACK_LIMIT: u32 = 8 * 1024 * 1024;
/// The lowest address the stack may grow down to.
pub const STACK_BOTTOM: u32 = PHYS_BASE - STACK_LIMIT;
/// How far below the user `esp` a fault may be and still grow the stack (`PUSHA` writes 32
/// bytes below `esp`).
pub const STACK_SLACK: u32 = 32;

/// The software-interrupt vector of a system call (`int $0x30`).
pub const SYSCALL_VECTOR: u8 = 0x30;

/// File descriptor of the keyboard.
pub const STDIN_FILENO: i32 = 0;
/// File descriptor of the console.
pub const STDOUT_FILENO: i32 = 1;
/// The longest file name the base file system accepts.
pub const NAME_MAX: usize = 14;
/// `exec` and `wait` report failure with this value.
pub const PID_ERROR: i32 = -1;
/// `mmap` reports failure with this value.
pub const MAP_FAILED: i32 = -1;

/// System-call numbers, consecutive from 0 as in Pintos' `lib/syscall-nr.h`.
pub mod nr {
    pub const HALT: u32 = 0;
    pub const EXIT: u32 = 1;
    pub const EXEC: u32 = 2;
    pub const WAIT: u32 = 3;
    pub const CREATE: u32 = 4;
    pub const REMOVE: u32 = 5;
    pub const OPEN: u32 = 6;
    pub const FILESIZE: u32 = 7;
    pub const READ: u32 = 8;
    pub const WRITE: u32 = 9;
    pub const SEEK: u32 = 10;
    pub const TELL: u32 = 11;
    pub const CLOSE: u32 = 12;
    pub const MMAP: u32 = 13;
    pub const MUNMAP: u32 = 14;
    pub const CHDIR: u32 = 15;
    pub const MKDIR: u32 = 16;
    pub const READDIR: u32 = 17;
    pub const ISDIR: u32 = 18;
    pub const INUMBER: u32 = 19;

    /// Rintos' own calls start here, above the classic range, so no Pintos program can
    /// reach them by accident.
    pub const RINTOS_BASE: u32 = 0x100;
    /// `int vm_stats(struct vm_stats *out, unsigned size)`: copies the kernel's fault and
    /// resource counters into `out`; returns the bytes copied.
    pub const VM_STATS: u32 = RINTOS_BASE;
}
