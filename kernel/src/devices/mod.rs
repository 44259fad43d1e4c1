//! Device drivers: keyboard and serial input, the timer, the IDE disks and the block-device
//! layer above them, and power-off. (The console's output, the serial port and the screen,
//! is `arch::uart` and `arch::vga` under `console`.)
pub mod ata;
pub mod block;
pub mod input;
pub mod keyboard;
pub mod serial;
pub mod shutdown;
pub mod timer;
