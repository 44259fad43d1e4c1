//! The system-call fuzzer's calls: any number, valid or not, with arguments drawn from
//! boundary values (0, -1, INT_MIN/MAX, PHYS_BASE and its neighbours, page boundaries,
//! unmapped holes, read-only code, valid buffers, strings without terminators), plus exec
//! of this program and of missing files, mmap/munmap storms, and waits on random pids.
//!
//! Each call comes with what it must do to its caller ([`Expect`]), judged from the
//! program's own memory map ([`Layout`]) and the Pintos rules: a bad pointer or an unknown
//! call number kills the caller with `exit(-1)`; everything else returns, whatever its
//! integer arguments. The fuzzer never calls `halt`, never reads the keyboard and never
//! writes to the console (except with buffers that get it killed first): the first would end
//! the run, the second would wait forever, the third would flood the output.

use core::ffi::CStr;

use rintos_abi::{PAGE_SIZE, PHYS_BASE, STACK_BOTTOM, VmStats, nr};
use rintos_user::ProcessGlobal;
use rintos_user::cstr::StrBuf;

use crate::layout::{Layout, Mapping, Verdict};

const PAGE: u32 = PAGE_SIZE as u32;

/// What a call must do to the process that makes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Return (with any result).
    Return,
    /// Kill the caller with `exit(-1)`.
    Die,
    /// Either: the program cannot tell (a stack page, a very long string).
    Either,
    /// `exit(status)`: end the caller with this status.
    Exit(i32),
}

#[derive(Clone, Copy, Debug)]
pub struct Call {
    pub number: u32,
    pub args: [u32; 3],
    pub expect: Expect,
}

/// Names the fuzzer creates, opens and removes. The program's own file and the drivers'
/// progress files are deliberately absent from what it creates and removes.
const NAMES: [&CStr; 10] = [
    c"fz-a",
    c"fz-b",
    c"fz-c",
    c"fz-d",
    c".",
    c"/",
    c"",
    c"no-such-file",
    c"abcdefghijklmn",
    c"abcdefghijklmno",
];
/// Command lines `exec` gets besides this program's own.
const COMMANDS: [&CStr; 5] = [c"no-such-program", c"", c"   ", c"fz-a", c"fz-b 1 2 3"];
/// The program, as `exec` starts it to be a fuzzer's child.
pub const PROGRAM: &str = "sc-fuzz";
const MAX_CHILDREN: u32 = 2;
const MAX_FDS: usize = 16;
const MAX_PIDS: usize = 4;

/// Calls that take no pointer, with their relative weights.
const PLAIN: [(u32, u32); 10] = [
    (nr::WAIT, 4),
    (nr::FILESIZE, 4),
    (nr::SEEK, 4),
    (nr::TELL, 3),
    (nr::CLOSE, 6),
    (nr::MMAP, 8),
    (nr::MUNMAP, 5),
    (nr::ISDIR, 2),
    (nr::INUMBER, 2),
    (nr::FILE_FRAMES, 2),
];

/// Command lines built at run time: this program as a child, and a command line longer than
/// a page. Static, so that they lie in the data segment, which the layout knows to be
/// readable (a stack buffer's page is one the fuzzer cannot judge).
static CHILD_COMMAND: ProcessGlobal<StrBuf<64>> = ProcessGlobal::new(StrBuf::new());
static LONG_COMMAND: ProcessGlobal<StrBuf<6000>> = ProcessGlobal::new(StrBuf::new());

/// The fuzzer of one process.
pub struct Fuzzer {
    rng: fastrand::Rng,
    pub layout: Layout,
    /// Descriptors believed open, and whether each is a directory.
    fds: [(i32, bool); MAX_FDS],
    fd_count: usize,
    children: [i32; MAX_PIDS],
    children_started: u32,
    may_exec: bool,
    /// Calls left in the current mmap/munmap storm.
    storm: u32,
    /// A descriptor the program keeps for itself: never passed to a call.
    reserved_fd: Option<i32>,
}

fn address_of(text: &CStr) -> u32 {
    text.as_ptr() as u32
}

impl Fuzzer {
    /// A fuzzer drawing from `seed`; `may_exec` lets it start children (this program in
    /// `child` mode).
    pub fn new(seed: u64, may_exec: bool) -> Fuzzer {
        let layout = Layout::of_this_program();
        let mut fuzzer = Fuzzer {
            rng: fastrand::Rng::with_seed(seed),
            layout,
            fds: [(0, false); MAX_FDS],
            fd_count: 0,
            children: [0; MAX_PIDS],
            children_started: 0,
            may_exec,
            storm: 0,
            reserved_fd: None,
        };
        fuzzer.fill_arena();
        let long = &mut *LONG_COMMAND.borrow_mut();
        long.clear();
        long.push_bytes(b"sc-fuzz child 1");
        while !long.is_full() {
            long.push_bytes(b" x");
        }
        fuzzer
    }

    /// Random bytes in the arena, no NUL in its last 64 (a string there runs off the end of
    /// the data segment).
    fn fill_arena(&mut self) {
        let (start, end) = self.layout.arena;
        for address in start..end {
            let byte = if end - address <= 64 {
                b'x'
            } else {
                self.rng.u8(..)
            };
            // SAFETY: the arena is the program's own memory that nothing else refers to.
            unsafe {
                core::ptr::with_exposed_provenance_mut::<u8>(address as usize).write_volatile(byte)
            };
        }
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.usize(..items.len())]
    }

    /// An integer argument at the edges of what a kernel might check.
    fn boundary_int(&mut self) -> u32 {
        const VALUES: [u32; 12] = [
            0,
            1,
            2,
            3,
            0x7F,
            0x80,
            0xFFFF,
            0x7FFF_FFFF,
            0x8000_0000,
            0xFFFF_FFFF,
            0xFFFF_FFFE,
            PAGE,
        ];
        if self.rng.u8(..4) == 0 {
            self.rng.u32(..)
        } else {
            self.pick(&VALUES)
        }
    }

    /// Keeps `fd` out of every call (the program's own bookkeeping file).
    pub fn reserve_fd(&mut self, fd: i32) {
        self.reserved_fd = Some(fd);
    }

    fn fd(&mut self) -> i32 {
        let fd = if self.fd_count > 0 && self.rng.u8(..10) < 6 {
            self.fds[self.rng.usize(..self.fd_count)].0
        } else {
            self.pick(&[-1, 0, 1, 2, 3, 4, 127, 128, 129, 130, i32::MAX, i32::MIN])
        };
        if Some(fd) == self.reserved_fd { -1 } else { fd }
    }

    /// A buffer of `len` bytes: mostly memory the kernel may use (the arena, the top of the
    /// stack, a mapping) with room for it, sometimes an address it must refuse.
    fn buffer_address(&mut self, len: u32) -> u32 {
        let (start, end) = self.layout.arena;
        if self.rng.u8(..100) < 95 {
            let mapping = self.layout.some_mapping(self.rng.usize(..16));
            return match (self.rng.u8(..8), mapping) {
                (0, Some(mapping)) if len <= mapping.pages * PAGE => {
                    mapping.start + self.rng.u32(..=mapping.pages * PAGE - len)
                }
                (1, _) if len <= 64 => PHYS_BASE - 64,
                _ if len <= end - start => start + self.rng.u32(..=end - start - len),
                _ => start,
            };
        }
        let edges = [
            0,
            1,
            PAGE,
            0x1000_0000,
            self.layout.text_start(),
            self.layout.data_end(),
            end - 1,
            STACK_BOTTOM - PAGE,
            PHYS_BASE - 1,
            PHYS_BASE,
            PHYS_BASE + PAGE,
            0xFFFF_F000,
            0xFFFF_FFFF,
        ];
        self.pick(&edges)
    }

    fn length(&mut self) -> u32 {
        if self.rng.u8(..100) < 90 {
            return self.rng.u32(..2048);
        }
        let edges = [
            0,
            1,
            15,
            16,
            511,
            512,
            513,
            4095,
            4096,
            4097,
            8192,
            0x10000,
            0x7FFF_FFFF,
            0x8000_0000,
            0xFFFF_FFFF,
        ];
        self.pick(&edges)
    }

    /// A string argument: a name, or an address that may hold no string at all.
    fn string_address(&mut self, names: &[&CStr]) -> u32 {
        if self.rng.u8(..100) < 95 {
            return address_of(self.pick(names));
        }
        let (_, arena_end) = self.layout.arena;
        let edges = [
            0,
            1,
            PAGE,
            0x1000_0000,
            STACK_BOTTOM - PAGE,
            PHYS_BASE,
            0xFFFF_FFF0,
            arena_end - 32,
            arena_end - 1,
            self.layout.text_start(),
            PHYS_BASE - 1,
        ];
        self.pick(&edges)
    }

    fn verdict_expect(verdict: Verdict) -> Expect {
        match verdict {
            Verdict::Valid => Expect::Return,
            Verdict::Fatal => Expect::Die,
            Verdict::Unknown => Expect::Either,
        }
    }

    /// The next call to make.
    pub fn next_call(&mut self) -> Call {
        if self.storm > 0 {
            return self.storm_call();
        }
        let roll = self.rng.u32(..1000);
        let call = |number, args, expect| Call {
            number,
            args,
            expect,
        };
        match roll {
            0..3 => {
                let status = self.boundary_int() as i32;
                call(nr::EXIT, [status as u32, 0, 0], Expect::Exit(status))
            }
            3..13 => self.unknown_number(),
            13..20 => {
                self.storm = 16;
                self.storm_call()
            }
            20..75 => self.exec_call(),
            75..155 => {
                let name = self.string_address(&NAMES);
                let size = if self.rng.bool() {
                    self.rng.u32(..16384)
                } else {
                    self.boundary_int()
                };
                call(
                    nr::CREATE,
                    [name, size, 0],
                    Self::verdict_expect(self.layout.string(name)),
                )
            }
            155..205 => {
                let name = self.string_address(&NAMES);
                call(
                    nr::REMOVE,
                    [name, 0, 0],
                    Self::verdict_expect(self.layout.string(name)),
                )
            }
            205..330 => {
                let mut names = NAMES;
                names[6] = c"sc-fuzz";
                let name = self.string_address(&names);
                call(
                    nr::OPEN,
                    [name, 0, 0],
                    Self::verdict_expect(self.layout.string(name)),
                )
            }
            330..450 => self.transfer(nr::READ),
            450..570 => self.transfer(nr::WRITE),
            570..590 => {
                let (fd, name) = (
                    self.fd(),
                    self.buffer_address(rintos_abi::NAME_MAX as u32 + 1),
                );
                let is_dir = self.fds[..self.fd_count]
                    .iter()
                    .any(|&(open, dir)| open == fd && dir);
                let expect = match self
                    .layout
                    .buffer(name, rintos_abi::NAME_MAX as u32 + 1, true)
                {
                    Verdict::Valid => Expect::Return,
                    _ if is_dir => Expect::Either,
                    _ => Expect::Return,
                };
                call(nr::READDIR, [fd as u32, name, 0], expect)
            }
            590..610 => {
                let size = self.length();
                let copied = size.min(VmStats::FIELDS as u32 * 8);
                let address = self.buffer_address(copied);
                call(
                    nr::VM_STATS,
                    [address, size, 0],
                    Self::verdict_expect(self.layout.buffer(address, copied, true)),
                )
            }
            _ => self.plain_call(),
        }
    }

    fn unknown_number(&mut self) -> Call {
        const KNOWN: [u32; 19] = [
            nr::HALT,
            nr::EXIT,
            nr::EXEC,
            nr::WAIT,
            nr::CREATE,
            nr::REMOVE,
            nr::OPEN,
            nr::FILESIZE,
            nr::READ,
            nr::WRITE,
            nr::SEEK,
            nr::TELL,
            nr::CLOSE,
            nr::MMAP,
            nr::MUNMAP,
            nr::READDIR,
            nr::ISDIR,
            nr::INUMBER,
            nr::VM_STATS,
        ];
        // chdir and mkdir are Pintos calls that Rintos does not implement (yet): they may or
        // may not kill. Numbers just above Rintos' own calls are kept for future ones.
        let number = loop {
            let random = self.rng.u32(0x1000..);
            let number = self.pick(&[
                nr::CHDIR,
                nr::MKDIR,
                20,
                21,
                0xFF,
                0x7FFF_FFFF,
                0x8000_0000,
                0xFFFF_FFFF,
                random,
            ]);
            if !KNOWN.contains(&number) && number != nr::FILE_FRAMES {
                break number;
            }
        };
        let expect = if matches!(number, nr::CHDIR | nr::MKDIR) {
            Expect::Either
        } else {
            Expect::Die
        };
        Call {
            number,
            args: [
                self.boundary_int(),
                self.boundary_int(),
                self.boundary_int(),
            ],
            expect,
        }
    }

    fn exec_call(&mut self) -> Call {
        let command = match self.rng.u8(..4) {
            0 if self.may_exec && self.children_started < MAX_CHILDREN => {
                let mut child = CHILD_COMMAND.borrow_mut();
                *child = StrBuf::format(format_args!("{PROGRAM} child {}", self.rng.u32(..)));
                address_of(child.as_cstr())
            }
            1 => address_of(LONG_COMMAND.borrow_mut().as_cstr()),
            _ => self.string_address(&COMMANDS),
        };
        let expect = Self::verdict_expect(self.layout.string(command));
        Call {
            number: nr::EXEC,
            args: [command, 0, 0],
            expect,
        }
    }

    /// `read` or `write`, never on the keyboard or the console with a buffer the kernel
    /// would use.
    fn transfer(&mut self, number: u32) -> Call {
        let (fd, mut len) = (self.fd(), self.length());
        let address = self.buffer_address(len);
        let into_memory = number == nr::READ;
        let mut verdict = self.layout.buffer(address, len, into_memory);
        let terminal = if into_memory {
            rintos_abi::STDIN_FILENO
        } else {
            rintos_abi::STDOUT_FILENO
        };
        if fd == terminal && verdict != Verdict::Fatal {
            len = 0;
            verdict = Verdict::Valid;
        }
        Call {
            number,
            args: [fd as u32, address, len],
            expect: Self::verdict_expect(verdict),
        }
    }

    fn plain_call(&mut self) -> Call {
        let total: u32 = PLAIN.iter().map(|(_, weight)| weight).sum();
        let mut roll = self.rng.u32(..total);
        let number = PLAIN
            .iter()
            .find(|(_, weight)| roll.checked_sub(*weight).map(|rest| roll = rest).is_none())
            .expect("a weight")
            .0;
        let args = match number {
            nr::WAIT => {
                let nth = self.rng.usize(..MAX_PIDS);
                let known = self
                    .children
                    .iter()
                    .copied()
                    .filter(|&pid| pid > 0)
                    .nth(nth);
                [
                    known
                        .unwrap_or_else(|| self.pick(&[-1, 0, 1, 2, 3, 7, 100, i32::MAX, i32::MIN]))
                        as u32,
                    0,
                    0,
                ]
            }
            nr::SEEK => [self.fd() as u32, self.boundary_int(), 0],
            nr::MMAP => [self.fd() as u32, self.map_address(), 0],
            nr::MUNMAP => [self.mapping_id() as u32, 0, 0],
            _ => [self.fd() as u32, 0, 0],
        };
        Call {
            number,
            args,
            expect: Expect::Return,
        }
    }

    fn map_address(&mut self) -> u32 {
        if self.rng.u8(..4) == 0 {
            return 0x2000_0000 + self.rng.u32(..0x4000) * PAGE;
        }
        let edges = [
            0,
            1,
            PAGE,
            0x1000_0001,
            0x1000_0000,
            0x3000_0000,
            self.layout.text_start(),
            self.layout.data_end() - PAGE,
            self.layout.data_end(),
            STACK_BOTTOM - PAGE,
            STACK_BOTTOM,
            PHYS_BASE - PAGE,
            PHYS_BASE,
            0xFFFF_F000,
        ];
        self.pick(&edges)
    }

    fn mapping_id(&mut self) -> i32 {
        match self.layout.some_mapping(self.rng.usize(..16)) {
            Some(mapping) if self.rng.u8(..10) < 7 => mapping.id,
            _ => self.pick(&[-1, 0, 1, 2, 100, i32::MAX, i32::MIN]),
        }
    }

    /// Eight maps of one open file at consecutive places, then eight unmaps.
    fn storm_call(&mut self) -> Call {
        self.storm -= 1;
        let args = if self.storm >= 8 {
            let fd = if self.fd_count > 0 {
                self.fds[0].0
            } else {
                self.fd()
            };
            [fd as u32, 0x3000_0000 + (16 - self.storm) * 0x10_0000, 0]
        } else {
            return Call {
                number: nr::MUNMAP,
                args: [self.mapping_id() as u32, 0, 0],
                expect: Expect::Return,
            };
        };
        Call {
            number: nr::MMAP,
            args,
            expect: Expect::Return,
        }
    }

    /// Learns from the result of `call` (which returned): open descriptors, mappings and
    /// children. `file_pages` tells how many pages the file behind a descriptor has.
    pub fn after(&mut self, call: &Call, result: u32, file_pages: impl FnOnce(i32) -> u32) {
        let result = result as i32;
        match call.number {
            nr::OPEN if result > 1 && self.fd_count < MAX_FDS => {
                let name = call.args[0];
                // SAFETY: the call returned, so the name was a readable string.
                let first = unsafe {
                    core::ptr::with_exposed_provenance::<[u8; 2]>(name as usize).read_unaligned()
                };
                let is_dir = matches!(first, [b'.' | b'/', 0]);
                self.fds[self.fd_count] = (result, is_dir);
                self.fd_count += 1;
            }
            nr::CLOSE => {
                if let Some(index) = self.fds[..self.fd_count]
                    .iter()
                    .position(|&(fd, _)| fd == call.args[0] as i32)
                {
                    self.fds[index] = self.fds[self.fd_count - 1];
                    self.fd_count -= 1;
                }
            }
            nr::MMAP if result >= 0 => {
                let pages = file_pages(call.args[0] as i32);
                self.layout.add_mapping(Mapping {
                    id: result,
                    start: call.args[1],
                    pages,
                });
            }
            nr::MUNMAP => {
                self.layout.remove_mapping(call.args[0] as i32);
            }
            nr::EXEC if result > 0 => {
                self.children_started +=
                    u32::from(call.args[0] == address_of(CHILD_COMMAND.borrow_mut().as_cstr()));
                if let Some(slot) = self.children.iter_mut().find(|pid| **pid <= 0) {
                    *slot = result;
                }
            }
            nr::WAIT => {
                if let Some(slot) = self
                    .children
                    .iter_mut()
                    .find(|pid| **pid == call.args[0] as i32)
                {
                    *slot = 0;
                }
            }
            _ => {}
        }
    }

    /// Touches a byte of a mapping (a page fault the kernel services from the file), as a
    /// process uses its mappings between calls.
    pub fn touch_mapping(&mut self) {
        let Some(mapping) = self.layout.some_mapping(self.rng.usize(..16)) else {
            return;
        };
        let address = mapping.start + self.rng.u32(..mapping.pages.max(1) * PAGE);
        let pointer = core::ptr::with_exposed_provenance_mut::<u8>(address as usize);
        // SAFETY: the address lies in a live mapping of ours, which nothing else refers to.
        unsafe {
            let byte = pointer.read_volatile();
            pointer.write_volatile(byte.wrapping_add(1));
        }
    }
}
