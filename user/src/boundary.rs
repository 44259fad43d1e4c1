//! Memory next to page boundaries, for the tests that pass the kernel data crossing from
//! one page to the next (`src/tests/userprog/boundary.c`).
//!
//! The area is an 8 KiB array in section `.testEndmem`, which `user.ld` places at the
//! very end of `.bss`, and nothing is mapped after `.bss`. So the page-aligned address
//! just past the array is the first unmapped address above the program's data:
//! [`bad_boundary`] points there.
use core::arch::global_asm;

use rintos_abi::PAGE_SIZE;

const AREA_SIZE: usize = 8192;

// A NOBITS ("@nobits") section keeps the area in .bss: zero-filled by the kernel, absent
// from the file. Rust cannot ask for that flag for a `static` in a section of its own.
global_asm!(
    ".pushsection .testEndmem,\"aw\",@nobits",
    ".globl rintos_boundary_area",
    "rintos_boundary_area:",
    ".skip {size}",
    ".popsection",
    size = const AREA_SIZE,
);

unsafe extern "C" {
    static mut rintos_boundary_area: [u8; AREA_SIZE];
}

fn area_start() -> usize {
    (&raw mut rintos_boundary_area).addr()
}

/// A page-aligned address inside the area with at least 2048 writable bytes on either
/// side (`get_boundary_area`).
pub fn boundary_area() -> *mut u8 {
    let start = area_start();
    let mut boundary = start.next_multiple_of(PAGE_SIZE);
    if boundary - start < 2048 {
        boundary += PAGE_SIZE;
    }
    (&raw mut rintos_boundary_area)
        .cast::<u8>()
        .wrapping_add(boundary - start)
}

/// Copies `text` plus a NUL so that it straddles the boundary of [`boundary_area`], half
/// on each page, and returns where the copy starts (`copy_string_across_boundary`).
pub fn copy_string_across_boundary(text: &[u8]) -> *mut u8 {
    let text = &text[..text.len().min(PAGE_SIZE - 1)];
    let destination = boundary_area().wrapping_sub(text.len() / 2);
    // SAFETY: the area has 2048 writable bytes before the boundary and 2048 after, and
    // `destination` starts at most half of a (< 4096-byte) text before the boundary.
    // The area is only ever reached through raw pointers, so nothing else refers to it.
    unsafe {
        destination.copy_from_nonoverlapping(text.as_ptr(), text.len());
        destination.add(text.len()).write(0);
    }
    destination
}

/// The first address after the end of the area, rounded up to a page: the lowest
/// unmapped address above the data segment (`get_bad_boundary`). The bytes just below it
/// are writable.
pub fn bad_boundary() -> *mut u8 {
    let end = area_start() + AREA_SIZE;
    (&raw mut rintos_boundary_area)
        .cast::<u8>()
        .wrapping_add(end.next_multiple_of(PAGE_SIZE) - area_start())
}
