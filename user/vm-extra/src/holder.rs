//! A process that holds a known number of pages while a test looks at it: `touch-pages
//! PAGES holder` writes PAGES pages of its .bss, raises flag [`HELD`] of board `holder` and
//! exits once flag [`RELEASE`] is raised.
use core::ffi::CStr;

use rintos_user::check;
use rintos_user::cstr::StrBuf;
use rintos_user::syscall::{PID_ERROR, Pid, exec, wait};

use crate::board::Board;

/// The board the holder and its test share.
pub const BOARD: &CStr = c"holder";
/// Raised by the holder once its pages are written.
pub const HELD: u32 = 0;
/// Raised by the test when the holder may exit.
pub const RELEASE: u32 = 1;

/// A running `touch-pages` that holds its pages.
pub struct Holder {
    board: Board,
    pid: Pid,
}

impl Holder {
    /// Starts `touch-pages PAGES holder` (`exec "touch-pages PAGES holder"`) and waits until
    /// it has written its pages.
    pub fn start(pages: u32) -> Holder {
        let board = Board::create(BOARD, 2);
        let command = StrBuf::<64>::format(format_args!("touch-pages {pages} holder"));
        check!(let pid = exec(command.as_cstr()) => pid != PID_ERROR, "exec \"{}\"", command);
        board.wait_for(HELD);
        Holder { board, pid }
    }

    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// Lets the holder exit and waits for it, then says so (`touch-pages released`) after
    /// the kernel's exit line.
    pub fn release(self) {
        self.board.raise(RELEASE);
        let status = wait(self.pid);
        check!(status == 0, "touch-pages released");
    }
}
