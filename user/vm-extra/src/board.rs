//! A board of flags shared by processes: a file with one byte per flag, zero until the flag
//! is raised. Pintos gives processes no other way to signal each other than `exec` and
//! `wait`; a file is coherent between them because every read and write goes to the one
//! inode. Waiting polls the file: each look is a disk read, during which the waiter sleeps
//! (so waiting costs little processor time), and no page fault, so it does not disturb the
//! fault counters the tests read.
use core::ffi::CStr;

use rintos_user::cstr::show;
use rintos_user::fail;
use rintos_user::syscall::{create, open, read, seek, write};

pub struct Board {
    fd: i32,
}

impl Board {
    /// Creates file `name` with `flags` lowered flags and opens it.
    pub fn create(name: &CStr, flags: u32) -> Board {
        if !create(name, flags) {
            fail!("create \"{}\"", show(name));
        }
        Board::open(name)
    }

    /// Opens the board another process created.
    pub fn open(name: &CStr) -> Board {
        let fd = open(name);
        if fd < 2 {
            fail!("open \"{}\"", show(name));
        }
        Board { fd }
    }

    pub fn raise(&self, flag: u32) {
        seek(self.fd, flag);
        if write(self.fd, &[1]) != 1 {
            fail!("raise flag {}", flag);
        }
    }

    pub fn is_raised(&self, flag: u32) -> bool {
        let mut byte = [0u8];
        seek(self.fd, flag);
        read(self.fd, &mut byte) == 1 && byte[0] != 0
    }

    /// Waits until flags `0..flags` are all raised.
    pub fn wait_for_all(&self, flags: u32) {
        (0..flags).for_each(|flag| self.wait_for(flag));
    }

    /// Waits until `flag` is raised.
    pub fn wait_for(&self, flag: u32) {
        while !self.is_raised(flag) {}
    }
}
