//! Device drivers: the console's serial port and VGA screen, keyboard input, the timer, the
//! IDE disks and the block-device layer above them, and power-off.
pub mod ata;
pub mod block;
pub mod input;
pub mod keyboard;
pub mod serial;
pub mod shutdown;
pub mod timer;
pub mod vga;
