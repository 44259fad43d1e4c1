//! The console: everything the kernel and user programs print goes to the serial port and
//! the VGA screen. Newlines are bare `\n`: the classic checkers compare lines exactly. The
//! console sits low in the kernel's layers (right above the spinlocks) so that every layer
//! above, drivers included, can print.
//!
//! Printing only appends the text to a ring of pending output, with interrupts off for the
//! copy alone; then whichever CPU finds no one writing becomes the writer and moves the
//! ring's bytes to the serial port and the screen, with interrupts on (both are slow under
//! QEMU: a byte of serial output or a scrolled screen costs microseconds). A line printed
//! with one `print!` (or one line of a user's `write(1, ...)`) goes into the ring in one
//! piece, and one writer at a time empties the ring in order, so lines reach the console
//! whole and in the order they were printed, never spliced with another CPU's.

use alloc::string::String;
use core::fmt::{self, Write};
use core::sync::atomic::{AtomicBool, Ordering};

use spin::mutex::SpinMutex;

use crate::arch::locked_u64::LockedU64;
use crate::arch::vga::{self, COLUMNS, GRAY_ON_BLACK, ROWS};
use crate::arch::{cpu, uart};
use crate::sync::SpinLock;

/// Characters printed: the `Console:` statistics line.
pub static CHARS_WRITTEN: LockedU64 = LockedU64::new(0);

/// Bytes of pending output the ring holds.
const RING: usize = 64 * 1024;
/// The most bytes one print puts into the ring in one piece; longer text goes in pieces.
const PIECE: usize = 512;
/// Bytes the writer takes from the ring at a time.
const BATCH: usize = 64;

/// Output printed and not written yet, oldest first.
struct Pending {
    bytes: [u8; RING],
    start: usize,
    len: usize,
}

impl Pending {
    fn room(&self) -> usize {
        RING - self.len
    }

    /// Appends `bytes`, which must fit: at most two copies (before and after the ring's
    /// end), since the caller holds the lock with interrupts off.
    fn push(&mut self, bytes: &[u8]) {
        let end = (self.start + self.len) % RING;
        let before_wrap = bytes.len().min(RING - end);
        self.bytes[end..end + before_wrap].copy_from_slice(&bytes[..before_wrap]);
        self.bytes[..bytes.len() - before_wrap].copy_from_slice(&bytes[before_wrap..]);
        self.len += bytes.len();
    }

    fn pop(&mut self, out: &mut [u8]) -> usize {
        let count = out.len().min(self.len);
        let before_wrap = count.min(RING - self.start);
        out[..before_wrap].copy_from_slice(&self.bytes[self.start..self.start + before_wrap]);
        out[before_wrap..count].copy_from_slice(&self.bytes[..count - before_wrap]);
        self.start = (self.start + count) % RING;
        self.len -= count;
        count
    }
}

static PENDING: SpinLock<Pending> = SpinLock::new("console", Pending { bytes: [0; RING], start: 0, len: 0 });
/// Set while some CPU writes pending output out.
static WRITING: AtomicBool = AtomicBool::new(false);
/// Where the screen's cursor is, once the screen is set up. Only the writer touches it.
static SCREEN: SpinMutex<Option<Cursor>> = SpinMutex::new(None);

#[derive(Clone, Copy)]
struct Cursor {
    row: usize,
    column: usize,
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
    *SCREEN.lock() = Some(Cursor { row: 0, column: 0 });
}

/// Puts `bytes` into the ring in one piece (it must fit in [`PIECE`]), then writes pending
/// output out unless another writer is at it.
fn print_piece(bytes: &[u8]) {
    loop {
        {
            let mut pending = PENDING.lock();
            if pending.room() >= bytes.len() {
                pending.push(bytes);
                break;
            }
        }
        // The ring is full: help empty it, or wait for the writer that is at it.
        if !write_pending() && !cpu::interrupts_enabled() {
            // Interrupts off with the ring full and another writer at it (perhaps the very
            // code this interrupted): wait for nothing, write directly.
            bytes.iter().copied().for_each(uart::put_byte);
            CHARS_WRITTEN.fetch_add(bytes.len() as u64);
            return;
        }
        core::hint::spin_loop();
    }
    CHARS_WRITTEN.fetch_add(bytes.len() as u64);
    write_pending();
}

/// Becomes the writer, if no one is, and writes out everything pending, with interrupts as
/// the caller has them. Returns whether it was the writer.
fn write_pending() -> bool {
    let mut wrote = false;
    // Whatever is printed after the writer's last look at the ring and before it steps
    // down is written by the next look, its own or the printer's.
    while !WRITING.swap(true, Ordering::Acquire) {
        wrote = true;
        let mut batch = [0u8; BATCH];
        loop {
            let count = PENDING.lock().pop(&mut batch);
            if count == 0 {
                break;
            }
            let mut screen = SCREEN.lock();
            for &byte in &batch[..count] {
                uart::put_byte(byte);
                if let Some(cursor) = screen.as_mut() {
                    cursor.put(byte);
                }
            }
        }
        WRITING.store(false, Ordering::Release);
        if PENDING.lock().len == 0 {
            break;
        }
    }
    wrote
}

/// Writes out every pending byte before the machine stops (power-off, a panic): waits for
/// another CPU's writer if there is one, but only so long, and gives up at once if this CPU
/// was in the middle of printing (the panic path).
pub fn flush() {
    for _ in 0..1_000_000 {
        write_pending();
        match PENDING.lock_unless_held_here() {
            Some(pending) if pending.len > 0 => {}
            _ => return,
        }
        core::hint::spin_loop();
    }
}

/// A `fmt::Write` that gathers formatted text in pieces of at most [`PIECE`] bytes.
struct Pieces {
    piece: [u8; PIECE],
    len: usize,
}

impl Pieces {
    fn flush(&mut self) {
        if self.len > 0 {
            print_piece(&self.piece[..self.len]);
            self.len = 0;
        }
    }
}

impl Write for Pieces {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        for &byte in text.as_bytes() {
            if self.len == PIECE {
                self.flush();
            }
            self.piece[self.len] = byte;
            self.len += 1;
        }
        Ok(())
    }
}

/// Prints formatted text (in one piece, unless it is longer than [`PIECE`] bytes).
pub fn print(args: fmt::Arguments) {
    let mut pieces = Pieces { piece: [0; PIECE], len: 0 };
    let _ = pieces.write_fmt(args);
    pieces.flush();
}

/// Prints raw bytes (user programs' `write(1, ...)`) a line at a time: each line reaches
/// the console whole (a line longer than [`PIECE`] in pieces of that size).
pub fn write_bytes(bytes: &[u8]) {
    for line in bytes.split_inclusive(|&byte| byte == b'\n') {
        line.chunks(PIECE).for_each(print_piece);
    }
}

/// Writes to the serial port directly, for the panic path: the console's writer may be the
/// code that panicked, and a garbled line beats a silent hang. (The screen is left alone:
/// its cursor belongs to the writer.)
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
