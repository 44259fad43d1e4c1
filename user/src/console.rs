//! Formatted output, buffered like the classic user `printf`: the text goes out in
//! `write` calls of at most 64 bytes, one per filled buffer plus one at the end of each
//! `print!`. (Test messages use [`crate::testlib`] instead, which writes a whole line at
//! once.)
use core::fmt::{self, Write};

use crate::cstr::StrBuf;
use crate::syscall::{STDOUT_FILENO, write};

/// Collects formatted text and writes it to `fd` in chunks of up to 64 bytes.
pub struct ChunkedWriter {
    fd: i32,
    buffer: [u8; 64],
    len: usize,
}

impl ChunkedWriter {
    pub fn new(fd: i32) -> ChunkedWriter {
        ChunkedWriter {
            fd,
            buffer: [0; 64],
            len: 0,
        }
    }

    /// Writes out what is buffered.
    pub fn flush(&mut self) {
        if self.len > 0 {
            write(self.fd, &self.buffer[..self.len]);
            self.len = 0;
        }
    }
}

impl Write for ChunkedWriter {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        for &byte in text.as_bytes() {
            self.buffer[self.len] = byte;
            self.len += 1;
            if self.len == self.buffer.len() {
                self.flush();
            }
        }
        Ok(())
    }
}

/// Formats `args` to the console. Used by [`print!`](crate::print).
pub fn print_fmt(args: fmt::Arguments) {
    let mut writer = ChunkedWriter::new(STDOUT_FILENO);
    // Writing to a ChunkedWriter cannot fail; only a Display impl could, and then the
    // text is cut short, as with printf.
    let _ = writer.write_fmt(args);
    writer.flush();
}

/// Prints to the console, like `printf`.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => { $crate::console::print_fmt(format_args!($($arg)*)) };
}

/// Prints a line to the console.
#[macro_export]
macro_rules! println {
    () => { $crate::print!("\n") };
    ($($arg:tt)*) => { $crate::print!("{}\n", format_args!($($arg)*)) };
}

/// Prints `args` and a newline with a single `write`, so that the line reaches the console
/// in one piece even while other processes print (`print!` may split it into 64-byte
/// chunks). A line longer than 255 bytes is cut off.
pub fn print_line(args: fmt::Arguments) {
    let mut line = StrBuf::<256>::format(args);
    if line.is_full() {
        line.truncate(line.len() - 1);
    }
    line.push_bytes(b"\n");
    write(STDOUT_FILENO, line.as_bytes());
}

/// Prints `data` as hex, 16 bytes a line, each line starting with the offset of its first
/// byte counted from `offset`; with `ascii`, also the printable characters. This is the
/// classic `hex_dump`, e.g.
/// `00000010  41 42 43 44 45 46 47 48-49 4a                   |ABCDEFGHIJ      |`.
pub fn hex_dump(offset: usize, data: &[u8], ascii: bool) {
    const PER_LINE: usize = 16;
    let mut offset = offset;
    let mut rest = data;
    while !rest.is_empty() {
        let start = offset % PER_LINE;
        let count = (PER_LINE - start).min(rest.len());
        let (line, after) = rest.split_at(count);
        let mut writer = ChunkedWriter::new(STDOUT_FILENO);
        let _ = write_hex_line(&mut writer, offset - start, start, line, ascii);
        writer.flush();
        offset += count;
        rest = after;
    }
}

/// One line of [`hex_dump`]: `line` holds the bytes for columns `start..start + len`.
fn write_hex_line(
    out: &mut impl Write,
    line_offset: usize,
    start: usize,
    line: &[u8],
    ascii: bool,
) -> fmt::Result {
    const PER_LINE: usize = 16;
    write!(out, "{line_offset:08x}  ")?;
    for column in 0..PER_LINE {
        match column.checked_sub(start).and_then(|index| line.get(index)) {
            Some(byte) => {
                let separator = if column == PER_LINE / 2 - 1 { '-' } else { ' ' };
                write!(out, "{byte:02x}{separator}")?;
            }
            None if ascii || column < start => out.write_str("   ")?,
            None => {}
        }
    }
    if ascii {
        out.write_char('|')?;
        for column in 0..PER_LINE {
            let shown = match column.checked_sub(start).and_then(|index| line.get(index)) {
                Some(&byte) if byte.is_ascii_graphic() || byte == b' ' => char::from(byte),
                Some(_) => '.',
                None => ' ',
            };
            out.write_char(shown)?;
        }
        out.write_char('|')?;
    }
    out.write_char('\n')
}
