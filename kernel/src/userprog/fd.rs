//! A process's file descriptors: small integers from 2 up (0 and 1 are the keyboard and the
//! console) naming its open files, each with its own position. Never inherited.

use alloc::vec::Vec;

use crate::fs::File;

/// Most files a process may have open.
const MAX_OPEN: usize = 128;
const FIRST_FD: i32 = 2;

pub enum Handle {
    File(File),
    /// The root directory, opened as "." or "/" (for `ls`): `next` is the next entry to list.
    Directory { next: usize },
}

#[derive(Default)]
pub struct FdTable {
    slots: Vec<Option<Handle>>,
}

impl FdTable {
    /// Adds `handle`; returns its descriptor, or `None` if the table is full.
    pub fn insert(&mut self, handle: Handle) -> Option<i32> {
        let index = match self.slots.iter().position(Option::is_none) {
            Some(index) => index,
            None if self.slots.len() < MAX_OPEN => {
                self.slots.push(None);
                self.slots.len() - 1
            }
            None => return None,
        };
        self.slots[index] = Some(handle);
        Some(index as i32 + FIRST_FD)
    }

    fn index(fd: i32) -> Option<usize> {
        fd.checked_sub(FIRST_FD).and_then(|index| usize::try_from(index).ok())
    }

    pub fn get(&mut self, fd: i32) -> Option<&mut Handle> {
        self.slots.get_mut(Self::index(fd)?)?.as_mut()
    }

    /// The open file behind `fd`, if it is one.
    pub fn file(&mut self, fd: i32) -> Option<&mut File> {
        match self.get(fd)? {
            Handle::File(file) => Some(file),
            Handle::Directory { .. } => None,
        }
    }

    /// Closes `fd`; returns whether it was open.
    pub fn close(&mut self, fd: i32) -> bool {
        Self::index(fd).and_then(|index| self.slots.get_mut(index)).and_then(Option::take).is_some()
    }

    pub fn close_all(&mut self) {
        self.slots.clear();
    }
}
