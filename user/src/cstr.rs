//! C strings: building them in fixed buffers (for command lines such as
//! `"child-rox 4"`), showing them, and reading numbers from them.
use core::ffi::CStr;
use core::fmt::{self, Write};

/// A fixed-size buffer that formatted text is written into, always NUL-terminated, like a
/// `char buf[N]` filled by `snprintf`: text that does not fit is cut off.
pub struct StrBuf<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> StrBuf<N> {
    pub const fn new() -> StrBuf<N> {
        assert!(N > 0, "a StrBuf needs room for the NUL");
        StrBuf {
            bytes: [0; N],
            len: 0,
        }
    }

    /// A buffer holding `args` formatted, e.g. `StrBuf::<128>::format(format_args!(...))`.
    pub fn format(args: fmt::Arguments) -> StrBuf<N> {
        let mut buf = StrBuf::new();
        // Cannot fail: StrBuf truncates instead.
        let _ = buf.write_fmt(args);
        buf
    }

    pub fn clear(&mut self) {
        self.truncate(0);
    }

    /// The length of the text in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether no more text fits.
    pub fn is_full(&self) -> bool {
        self.len == N - 1
    }

    /// Shortens the text to `len` bytes (no-op if it is not longer).
    pub fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
        self.bytes[self.len] = 0;
    }

    /// The text, without the NUL.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// The text as a C string (up to its first NUL, if the text contained one).
    pub fn as_cstr(&self) -> &CStr {
        CStr::from_bytes_until_nul(&self.bytes[..=self.len]).expect("a StrBuf always ends in NUL")
    }

    /// Appends raw bytes, cutting them off where the buffer is full.
    pub fn push_bytes(&mut self, bytes: &[u8]) {
        let room = N - 1 - self.len;
        let taken = bytes.len().min(room);
        self.bytes[self.len..self.len + taken].copy_from_slice(&bytes[..taken]);
        self.len += taken;
        self.bytes[self.len] = 0;
    }
}

impl<const N: usize> Default for StrBuf<N> {
    fn default() -> Self {
        StrBuf::new()
    }
}

impl<const N: usize> Write for StrBuf<N> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.push_bytes(text.as_bytes());
        Ok(())
    }
}

impl<const N: usize> fmt::Display for StrBuf<N> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        Show(self.as_bytes()).fmt(f)
    }
}

/// Displays bytes as text, the way `%s` shows a C string; bytes that are not UTF-8 show
/// as U+FFFD. For a `&CStr`, use [`show`].
pub struct Show<'a>(pub &'a [u8]);

impl fmt::Display for Show<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        for chunk in self.0.utf8_chunks() {
            f.write_str(chunk.valid())?;
            if !chunk.invalid().is_empty() {
                f.write_char(char::REPLACEMENT_CHARACTER)?;
            }
        }
        Ok(())
    }
}

/// Shows a C string, e.g. `msg!("open \"{}\"", show(name))`.
pub fn show(text: &CStr) -> Show<'_> {
    Show(text.to_bytes())
}

/// The classic `atoi`: optional spaces, an optional sign, then decimal digits up to the
/// first non-digit; 0 if there are none. Overflow wraps, as it does on i386.
pub fn atoi(text: &CStr) -> i32 {
    let mut bytes = text
        .to_bytes()
        .iter()
        .copied()
        .skip_while(u8::is_ascii_whitespace)
        .peekable();
    let negative = match bytes.peek() {
        Some(b'-') => {
            bytes.next();
            true
        }
        Some(b'+') => {
            bytes.next();
            false
        }
        _ => false,
    };
    let magnitude = bytes
        .take_while(u8::is_ascii_digit)
        .fold(0i32, |value, digit| {
            value.wrapping_mul(10).wrapping_add(i32::from(digit - b'0'))
        });
    if negative {
        magnitude.wrapping_neg()
    } else {
        magnitude
    }
}
