//! rox-child and rox-multichild (`src/tests/userprog/rox-child.inc`): an executable may be
//! written while no process runs it, not while one does, and again once that one exited.
use crate::check;
use crate::cstr::StrBuf;
use crate::syscall::{exec, open, read, seek, wait, write};
use crate::testlib::set_quiet;

/// Writes child-rox's first 16 bytes back to it, runs `child-rox <depth>` (which checks
/// that it cannot write itself), then writes the bytes again.
pub fn rox_child_test(depth: u32) {
    let command = StrBuf::<32>::format(format_args!("child-rox {depth}"));
    let mut buffer = [0u8; 16];

    check!(let fd = open(c"child-rox") => fd > 1, "open \"child-rox\"");
    check!(read(fd, &mut buffer) == 16, "read \"child-rox\"");
    seek(fd, 0);
    check!(write(fd, &buffer) == 16, "write \"child-rox\"");

    check!(let child = exec(command.as_cstr()) => child != -1, "exec \"{}\"", command);
    set_quiet(true);
    check!(wait(child) == 12, "wait for child");
    set_quiet(false);

    seek(fd, 0);
    check!(write(fd, &buffer) == 16, "write \"child-rox\"");
}
