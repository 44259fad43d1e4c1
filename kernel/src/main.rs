//! Rintos: a Pintos-compatible teaching kernel for i686 whose page faults are futures.
//!
//! Reading order: `init` (boot sequence and the command line), `trap` (where every interrupt
//! goes), `sync` and `threads`, `task` (the async runtime), `devices` (ATA and block
//! devices), `fs`, `userprog` (processes, ELF loading, system calls) and `vm` (the fault
//! path, frames, swap, mmap). DESIGNDOC.md's "Layers" says which module may use which.
#![no_std]
#![no_main]

extern crate alloc;

mod arch;
mod console;
mod devices;
mod fs;
mod init;
mod memory;
mod panic;
mod resources;
mod selftest;
mod stats;
mod sync;
mod task;
mod threads;
mod trap;
mod userprog;
mod vm;
