//! The console: everything the kernel and user programs print goes to the serial port and
//! the VGA screen. One lock makes each `print!` (and each user `write(1, ...)`) reach the
//! screen whole, never spliced with another thread's or CPU's output. Newlines are bare
//! `\n`: the classic checkers compare lines exactly. The console sits low in the kernel's
//! layers (right above the spinlocks) so that every layer above, drivers included, can
//! print.

use alloc::string::String;
use core::fmt::{self, Write};
use core::sync::atomic::{AtomicU64, Ordering};

use crate::arch::vga::{self, COLUMNS, GRAY_ON_BLACK, ROWS};
use crate::arch::uart;
use crate::sync::SpinLock;

/// Characters written: the `Console:` statistics line.
pub static CHARS_WRITTEN: AtomicU64 = AtomicU64::new(0);

/// The console's state: where the screen's cursor is, once the screen is set up.
struct Console {
    screen: Option<Cursor>,
}

#[derive(Clone, Copy)]
struct Cursor {
    row: usize,
    column: usize,
}

static CONSOLE: SpinLock<Console> = SpinLock::new("console", Console { screen: None });

impl Console {
    fn put_bytes(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            uart::put_byte(byte);
            if let Some(cursor) = &mut self.screen {
                cursor.put(byte);
            }
        }
        CHARS_WRITTEN.fetch_add(bytes.len() as u64, Ordering::Relaxed);
    }
}

impl Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.put_bytes(s.as_bytes());
        Ok(())
    }
}

impl Cursor {
    /// Shows one byte at the cursor, scrolling the screen up at the bottom.
    fn put(&mut self, byte: u8) {
        match byte {
            b'\n' => self.newline(),
            b'\r' => self.column = 0,
            0x08 => self.column = self.column.saturating_sub(1),
            _ => {
                vga::write_cell(self.row, self.column, GRAY_ON_BLACK | u16::from(byte));
                self.column += 1;
                if self.column == COLUMNS {
                    self.newline();
                }
            }
        }
    }

    fn newline(&mut self) {
        self.column = 0;
        if self.row + 1 < ROWS {
            self.row += 1;
            return;
        }
        for row in 1..ROWS {
            for column in 0..COLUMNS {
                vga::write_cell(row - 1, column, vga::read_cell(row, column));
            }
        }
        clear_row(ROWS - 1);
    }
}

fn clear_row(row: usize) {
    for column in 0..COLUMNS {
        vga::write_cell(row, column, GRAY_ON_BLACK | u16::from(b' '));
    }
}

/// Sets up the serial port and clears the screen.
pub fn init() {
    uart::init();
    (0..ROWS).for_each(clear_row);
    CONSOLE.lock().screen = Some(Cursor { row: 0, column: 0 });
}

/// Writes formatted text atomically.
pub fn print(args: fmt::Arguments) {
    let _ = CONSOLE.lock().write_fmt(args);
}

/// Writes raw bytes atomically (user programs' `write(1, ...)`).
pub fn write_bytes(bytes: &[u8]) {
    CONSOLE.lock().put_bytes(bytes);
}

/// Writes to the serial port without the console lock, for the panic path: the panicking
/// thread may hold the lock already, and a garbled line beats a silent hang. (The screen
/// is left alone: its cursor belongs to the lock's holder.)
pub fn print_unlocked(args: fmt::Arguments) {
    struct SerialOnly;
    impl Write for SerialOnly {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            s.bytes().for_each(uart::put_byte);
            Ok(())
        }
    }
    let _ = SerialOnly.write_fmt(args);
}

/// `1234567` as `1,234,567`, the way the classic kernel prints counts and sizes.
pub fn thousands(value: u64) -> String {
    let digits = alloc::format!("{value}");
    let mut text = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => { $crate::console::print(format_args!($($arg)*)) };
}

#[macro_export]
macro_rules! println {
    () => { $crate::console::print(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::console::print(format_args!("{}\n", format_args!($($arg)*))) };
}
