//! Process start-up. The kernel starts a program at `_start` with the stack of a cdecl
//! call `_start(argc, argv)`: `argc` at `[esp + 4]`, `argv` at `[esp + 8]` (docs/abi.md,
//! "The stack at process start"), and nothing else set up. [`entry!`](crate::entry!) and
//! [`test_main!`](crate::test_main!) define `_start` in the program.
use core::ffi::{CStr, c_char};

use crate::cstr::show;
use crate::println;
use crate::syscall::{close, exit, open, read};
use crate::testlib::{msg, set_test_name};

/// The command-line arguments, as the kernel put them on the stack. They live as long as
/// the process.
#[derive(Clone, Copy)]
pub struct Args {
    argc: usize,
    argv: *const *const c_char,
}

impl Args {
    /// The arguments `_start` received.
    ///
    /// # Safety
    /// `argv` must point to `argc + 1` pointers, the last one NULL and the others to C
    /// strings, all of which stay valid and unchanged for the rest of the process.
    pub unsafe fn from_raw(argc: i32, argv: *const *const c_char) -> Args {
        Args {
            argc: usize::try_from(argc).unwrap_or(0),
            argv,
        }
    }

    /// `argc`: the number of arguments, including the program name.
    pub fn len(&self) -> usize {
        self.argc
    }

    pub fn is_empty(&self) -> bool {
        self.argc == 0
    }

    /// `argv[index]` for `index <= argc` (`argv[argc]` is NULL, so `None`); `None` beyond.
    pub fn get(&self, index: usize) -> Option<&'static CStr> {
        if index > self.argc {
            return None;
        }
        // SAFETY: `from_raw`'s contract: argv has argc + 1 readable entries.
        let pointer = unsafe { *self.argv.add(index) };
        // SAFETY: a non-NULL entry points to a C string that lives as long as the process.
        (!pointer.is_null()).then(|| unsafe { CStr::from_ptr(pointer) })
    }

    /// `argv[0]`, the program name, as text ("?" if it is missing or not UTF-8).
    pub fn program_name(&self) -> &'static str {
        self.get(0)
            .and_then(|name| name.to_str().ok())
            .unwrap_or("?")
    }

    /// The arguments in order, from `argv[0]`.
    pub fn iter(&self) -> impl Iterator<Item = &'static CStr> + use<> {
        let args = *self;
        (0..args.argc).filter_map(move |index| args.get(index))
    }

    /// What file tools such as `cat` do: reads each file named after the program name,
    /// 1 KiB at a time, and hands `each_block` the block's offset in its file and its bytes;
    /// prints `NAME: open failed` for a file it cannot open and goes on. Returns the tool's
    /// exit status: 0, or 1 if some file could not be opened.
    pub fn read_named_files(&self, mut each_block: impl FnMut(usize, &[u8])) -> i32 {
        let mut status = 0;
        for name in self.iter().skip(1) {
            let fd = open(name);
            if fd < 0 {
                println!("{}: open failed", show(name));
                status = 1;
                continue;
            }
            let mut buffer = [0u8; 1024];
            let mut offset = 0;
            while let Ok(count @ 1..) = usize::try_from(read(fd, &mut buffer)) {
                each_block(offset, &buffer[..count]);
                offset += count;
            }
            close(fd);
        }
        status
    }
}

/// What `_start` does: runs `main` and exits with the status it returns.
///
/// # Safety
/// `argc` and `argv` must be what the kernel passed to `_start` (see [`Args::from_raw`]).
pub unsafe fn start(argc: i32, argv: *const *const c_char, main: fn(Args) -> i32) -> ! {
    // SAFETY: forwarded from our caller.
    let args = unsafe { Args::from_raw(argc, argv) };
    exit(main(args))
}

/// The classic `src/tests/main.c`: names the test after `argv[0]`, prints `begin`, seeds the
/// PRNG with 0, runs the test body, prints `end` and exits with 0. A failing check exits
/// earlier with status 1.
pub fn run_test(args: Args, test_main: fn()) -> i32 {
    set_test_name(args.program_name());
    msg(format_args!("begin"));
    crate::random::init(0);
    test_main();
    msg(format_args!("end"));
    0
}

/// Makes `main(args: Args) -> i32` the program's entry point; its result is the exit
/// status.
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        /// Where the kernel starts the process (docs/abi.md, "The stack at process start").
        #[unsafe(no_mangle)]
        extern "C" fn _start(argc: i32, argv: *const *const ::core::ffi::c_char) -> ! {
            // SAFETY: the kernel called us with the process's argc and argv.
            unsafe { $crate::entry::start(argc, argv, $main) }
        }
    };
}

/// Makes `test_main()` the body of a classic test (see [`run_test`]).
#[macro_export]
macro_rules! test_main {
    ($test_main:path) => {
        fn __rintos_test_entry(args: $crate::entry::Args) -> i32 {
            $crate::entry::run_test(args, $test_main)
        }
        $crate::entry!(__rintos_test_entry);
    };
}
