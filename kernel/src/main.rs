//! Rintos: a Pintos-compatible teaching kernel for i686 whose page faults are futures.
//!
//! Reading order: `init` (boot sequence and the command line), `threads` and `sync`,
//! `task` (the async runtime), `devices` (ATA and block devices), `fs`, `userprog`
//! (processes, ELF loading, system calls) and `vm` (the fault path, frames, swap, mmap).
#![no_std]
#![no_main]

extern crate alloc;

mod arch;
mod console;
mod devices;
mod fs;
mod init;
mod interrupt;
mod ktests;
mod memory;
mod panic;
mod stats;
mod sync;
mod task;
mod threads;
mod userprog;
mod vm;

/// Entered from `arch::boot` with the Multiboot magic and information pointer.
#[unsafe(no_mangle)]
extern "C" fn kernel_entry(magic: u32, multiboot_info: u32) -> ! {
    init::main(magic, multiboot_info)
}
