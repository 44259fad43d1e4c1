//! Multiboot v1 entry: the only code that runs with paging off.
//!
//! QEMU's `-kernel` loader jumps to `_start` in 32-bit protected mode with paging disabled,
//! `eax` = the multiboot magic and `ebx` = the physical address of the multiboot info.
//! `_start` maps the first 8 MiB twice (identity, so the next instruction still works, and at
//! PHYS_BASE, where the kernel is linked) with 4 MiB pages, turns paging on, moves to the
//! boot stack in the higher half and calls `kernel_entry`. The identity mapping is dropped
//! when `memory::paging` installs the kernel's real page directory.

use core::arch::global_asm;

/// Bytes of the stack the boot thread (later the "main" thread) runs on.
const BOOT_STACK_SIZE: usize = 16 * 1024;

unsafe extern "C" {
    static boot_stack_bottom: u8;
    static boot_stack_top: u8;
}

/// The lowest and one-past-highest address of the boot stack.
pub fn boot_stack() -> (usize, usize) {
    ((&raw const boot_stack_bottom) as usize, (&raw const boot_stack_top) as usize)
}

global_asm!(
    r#"
    .section .multiboot, "a"
    .align 4
    .long 0x1BADB002                 /* magic */
    .long 0x00000003                 /* page-align modules, provide memory info */
    .long -(0x1BADB002 + 0x00000003) /* checksum */

    .section .boot.text, "ax"
    .global _start
    .code32
_start:
    cli
    mov $boot_page_directory, %ecx
    mov %ecx, %cr3
    mov %cr4, %ecx
    or $0x10, %ecx                   /* CR4.PSE: 4 MiB pages */
    mov %ecx, %cr4
    mov %cr0, %ecx
    or $0x80010000, %ecx             /* CR0.PG | CR0.WP */
    mov %ecx, %cr0
    lea 1f, %ecx
    jmp *%ecx
1:
    mov $boot_stack_top, %esp
    xor %ebp, %ebp                   /* ends the frame-pointer chain for backtraces */
    push %ebx                        /* multiboot info (physical) */
    push %eax                        /* multiboot magic */
    call kernel_entry
2:  cli
    hlt
    jmp 2b

    .section .boot.data, "aw"
    .align 4096
    /* Also the directory application processors turn paging on with (see smp.rs). */
    .global boot_page_directory
boot_page_directory:
    .long 0x00000083                 /* 0 - 4 MiB: present, writable, 4 MiB page */
    .long 0x00400083                 /* 4 - 8 MiB */
    .fill 766, 4, 0
    .long 0x00000083                 /* PHYS_BASE + 0 - 4 MiB */
    .long 0x00400083                 /* PHYS_BASE + 4 - 8 MiB */
    .fill 254, 4, 0

    .section .bss
    .align 16
    .global boot_stack_bottom
    .global boot_stack_top
boot_stack_bottom:
    .skip {stack_size}
boot_stack_top:
    "#,
    stack_size = const BOOT_STACK_SIZE,
    options(att_syntax)
);
