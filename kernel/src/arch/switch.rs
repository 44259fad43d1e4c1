//! Switching the CPU from one kernel thread to another.
//!
//! A thread that is not running keeps its callee-saved registers on its own stack, and its
//! stack pointer in its thread structure. `switch_stacks` pushes the current thread's
//! registers, saves its stack pointer, loads the next thread's, and pops that thread's
//! registers: the `ret` then continues the next thread where it last called
//! `switch_stacks` — or, for a thread that never ran, at `thread_trampoline`.

use core::arch::global_asm;

unsafe extern "C" {
    /// Saves the current stack pointer in `*save_esp` and resumes the thread whose stack
    /// pointer is `next_esp`. Returns when some thread switches back to this one.
    pub fn switch_stacks(save_esp: *mut usize, next_esp: usize);
    fn thread_trampoline();
}

global_asm!(
    r#"
    .section .text
    .global switch_stacks
switch_stacks:
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl 20(%esp), %eax
    movl %esp, (%eax)
    movl 24(%esp), %esp
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

    .global thread_trampoline
thread_trampoline:
    xorl %ebp, %ebp        /* ends the frame-pointer chain of the new thread */
    call thread_start      /* never returns */
    "#,
    options(att_syntax)
);

/// Prepares the top of a fresh kernel stack so that the first `switch_stacks` to it enters
/// `thread_start`. Returns the stack pointer to store for the thread.
pub fn initial_stack(top: usize) -> usize {
    // Layout from the new stack pointer upwards: edi, esi, ebx, ebp, return address.
    let frame = [0usize, 0, 0, 0, thread_trampoline as *const () as usize, 0];
    let esp = top - core::mem::size_of_val(&frame);
    // SAFETY: `top` is the end of a stack that belongs to a thread nobody runs yet.
    unsafe { core::ptr::write(esp as *mut [usize; 6], frame) };
    esp
}
