//! The VGA text screen: 80x25 characters at physical 0xB8000, scrolling up at the bottom.

use crate::memory::phys_to_virt;
use crate::sync::SpinLock;

const COLUMNS: usize = 80;
const ROWS: usize = 25;
const GRAY_ON_BLACK: u16 = 0x0700;

struct Screen {
    column: usize,
    row: usize,
}

static SCREEN: SpinLock<Screen> = SpinLock::new("vga", Screen { column: 0, row: 0 });

fn cell(row: usize, column: usize) -> *mut u16 {
    (phys_to_virt(0xB8000) as *mut u16).wrapping_add(row * COLUMNS + column)
}

fn write_cell(row: usize, column: usize, value: u16) {
    // SAFETY: the text buffer is device memory mapped at PHYS_BASE + 0xB8000; the index is in range.
    unsafe { cell(row, column).write_volatile(value) };
}

fn read_cell(row: usize, column: usize) -> u16 {
    // SAFETY: as in `write_cell`.
    unsafe { cell(row, column).read_volatile() }
}

/// Clears the screen.
pub fn init() {
    let mut screen = SCREEN.lock();
    for row in 0..ROWS {
        for column in 0..COLUMNS {
            write_cell(row, column, GRAY_ON_BLACK | u16::from(b' '));
        }
    }
    screen.row = 0;
    screen.column = 0;
}

fn newline(screen: &mut Screen) {
    screen.column = 0;
    if screen.row + 1 < ROWS {
        screen.row += 1;
        return;
    }
    for row in 1..ROWS {
        for column in 0..COLUMNS {
            write_cell(row - 1, column, read_cell(row, column));
        }
    }
    for column in 0..COLUMNS {
        write_cell(ROWS - 1, column, GRAY_ON_BLACK | u16::from(b' '));
    }
}

/// Shows one byte at the cursor.
pub fn put_byte(byte: u8) {
    let mut screen = SCREEN.lock();
    match byte {
        b'\n' => newline(&mut screen),
        b'\r' => screen.column = 0,
        0x08 => screen.column = screen.column.saturating_sub(1),
        _ => {
            let (row, column) = (screen.row, screen.column);
            write_cell(row, column, GRAY_ON_BLACK | u16::from(byte));
            screen.column += 1;
            if screen.column == COLUMNS {
                newline(&mut screen);
            }
        }
    }
}
