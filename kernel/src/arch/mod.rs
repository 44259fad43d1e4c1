//! The i386 layer. Everything that knows it runs on an i386: boot, descriptors, interrupts, paging
//! structures, port I/O. Code outside `arch` talks to the hardware only through here.
pub mod boot;
