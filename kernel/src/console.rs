//! The console: everything the kernel and user programs print goes to the serial port and
//! the VGA screen. One lock makes each `print!` (and each user `write(1, ...)`) reach the
//! screen whole, never spliced with another thread's output. Newlines are bare `\n`: the
//! classic checkers compare lines exactly.

use alloc::string::String;
use core::fmt::{self, Write};
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::devices::{serial, vga};
use crate::sync::SpinLock;

/// Characters written: the `Console:` statistics line.
pub static CHARS_WRITTEN: AtomicU64 = AtomicU64::new(0);
static VGA_READY: AtomicBool = AtomicBool::new(false);

struct Console;

static CONSOLE: SpinLock<Console> = SpinLock::new("console", Console);

impl Console {
    fn put_bytes(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            serial::put_byte(byte);
            if VGA_READY.load(Ordering::Relaxed) {
                vga::put_byte(byte);
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

/// Sets up the serial port and the screen.
pub fn init() {
    serial::init();
    vga::init();
    VGA_READY.store(true, Ordering::Relaxed);
}

/// Writes formatted text atomically.
pub fn print(args: fmt::Arguments) {
    let _ = CONSOLE.lock().write_fmt(args);
}

/// Writes raw bytes atomically (user programs' `write(1, ...)`).
pub fn write_bytes(bytes: &[u8]) {
    CONSOLE.lock().put_bytes(bytes);
}

/// Writes without the console lock, for the panic path: the panicking thread may hold the
/// lock already, and a garbled line beats a silent hang.
pub fn print_unlocked(args: fmt::Arguments) {
    let _ = Console.write_fmt(args);
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
