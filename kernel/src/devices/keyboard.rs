//! The PS/2 keyboard (IRQ 1), decoded with `pc-keyboard` into bytes for the input queue.

use pc_keyboard::{DecodedKey, HandleControl, PS2Keyboard, ScancodeSet1, layouts};
use x86::io::inb;

use crate::sync::SpinLock;

const DATA_PORT: u16 = 0x60;
/// IRQ line of the keyboard controller.
pub const IRQ: u8 = 1;

static KEYBOARD: SpinLock<Option<PS2Keyboard<layouts::Us104Key, ScancodeSet1>>> = SpinLock::new("keyboard", None);

pub fn init() {
    *KEYBOARD.lock() =
        Some(PS2Keyboard::new(ScancodeSet1::new(), layouts::Us104Key, HandleControl::MapLettersToUnicode));
}

/// IRQ 1: decode the scancode; printable keys and control characters become input bytes.
pub fn interrupt() {
    // SAFETY: reading the scancode acknowledges the keyboard controller.
    let scancode = unsafe { inb(DATA_PORT) };
    let mut keyboard = KEYBOARD.lock();
    let Some(keyboard) = keyboard.as_mut() else { return };
    if let Ok(Some(event)) = keyboard.add_byte(scancode)
        && let Some(DecodedKey::Unicode(ch)) = keyboard.process_keyevent(event)
        && ch.is_ascii()
    {
        super::input::push(ch as u8);
    }
}
