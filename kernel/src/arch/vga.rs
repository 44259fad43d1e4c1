//! The VGA text buffer: 80x25 character cells (character and colour) at physical 0xB8000.
//! Where the cursor is, and scrolling, are the console's business.

use super::layout::phys_to_virt;

pub const COLUMNS: usize = 80;
pub const ROWS: usize = 25;
/// The colour attribute of light gray on black, in a cell's high byte.
pub const GRAY_ON_BLACK: u16 = 0x0700;

fn cell(row: usize, column: usize) -> *mut u16 {
    assert!(row < ROWS && column < COLUMNS, "no VGA cell at row {row}, column {column}");
    (phys_to_virt(0xB8000) as *mut u16).wrapping_add(row * COLUMNS + column)
}

/// Writes cell (`row`, `column`).
pub fn write_cell(row: usize, column: usize, value: u16) {
    // SAFETY: the text buffer is device memory mapped at PHYS_BASE + 0xB8000, and `cell`
    // checked that the index is in it.
    unsafe { cell(row, column).write_volatile(value) };
}

/// Reads cell (`row`, `column`).
pub fn read_cell(row: usize, column: usize) -> u16 {
    // SAFETY: as in `write_cell`.
    unsafe { cell(row, column).read_volatile() }
}
