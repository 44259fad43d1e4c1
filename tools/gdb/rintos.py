"""Rintos' gdb helpers, in the spirit of the classic Pintos gdb macros (dumplist, btthread,
btpagefault). `cargo run -- --gdb ...` prints the gdb command that loads the kernel's symbols
and this file; `help rintos` lists the helpers:

  rintos-threads           every thread, the ready queue, and what each CPU runs
  rintos-frames            the frame table: every frame that is not free
  rintos-pagetable [PID]   a process's present user mappings
  rintos-backtrace [TID]   a call stack that goes on through interrupt and fault frames

The kernel is built with line tables only, so gdb knows its functions and lines but none of
its types: the helpers read the kernel's structures by offset. The offsets come from
layout.json, the compiler's own layout of every type read here (`rustc -Zprint-type-sizes`),
for the release kernel and for the --lock-checks one (whose spinlocks are larger). A change
to one of those types makes them stale: `cargo run -- gdb-layout` rewrites layout.json, and
the gdb test (tests/gdb.rs) fails until it is rewritten. What the layouts cannot say is
written below where it is used: enum discriminant values (declaration order) and constants.
"""

import json
import os
import re
import struct

import gdb

PHYS_BASE = 0xC0000000
PAGE_SIZE = 4096
USER_DIRECTORY_ENTRIES = PHYS_BASE // (4 * 1024 * 1024)
# threads::thread::STACK_PAGES pages: a kernel stack allocated for a thread (`Stack::Pages`).
THREAD_STACK_BYTES = 2 * PAGE_SIZE
# threads::thread::Status, a #[repr(u8)] enum, in declaration order.
THREAD_STATUS = ["running", "ready", "blocked", "exited"]
# Page-table entry bits (arch::paging uses x86's PTFlags).
PTE_PRESENT, PTE_WRITABLE, PTE_ACCESSED, PTE_DIRTY, PDE_LARGE = 0x1, 0x2, 0x20, 0x40, 0x80
PAGE_FAULT_VECTOR = 14

LAYOUT_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layout.json")

# The types the helpers walk, by the names -Zprint-type-sizes gives them.
SCHEDULER_LOCK = "sync::spin::SpinLock<threads::scheduler::Scheduler>"
PROCESS_TABLE_LOCK = "sync::spin::SpinLock<alloc::collections::BTreeMap<u32, alloc::sync::Arc<userprog::Process>>>"
FRAME_TABLE_CELL = "conquer_once::doc::OnceCell<vm::frame::FrameTable, conquer_once::spin::internal::Spin>"
THREAD = "threads::thread::Thread"
# Vec, VecDeque and BTreeMap are laid out alike for every element of one machine word
# (an Arc, a u32, a usize): one instantiation of each stands for all of them.
RAW_VEC = "alloc::raw_vec::RawVec<alloc::sync::Arc<threads::thread::Thread>>"
VEC = "alloc::vec::Vec<u8>"
DEQUE = "alloc::collections::VecDeque<alloc::sync::Arc<threads::thread::Thread>>"
MAP = "alloc::collections::BTreeMap<u32, alloc::sync::Arc<threads::thread::Thread>>"
MAP_ROOT = ("alloc::collections::btree::node::NodeRef<alloc::collections::btree::node::marker::Owned, "
            "u32, alloc::sync::Arc<threads::thread::Thread>, alloc::collections::btree::node::marker::LeafOrInternal>")
MAP_LEAF = "alloc::collections::btree::node::LeafNode<u32, alloc::sync::Arc<threads::thread::Thread>>"
MAP_INTERNAL = "alloc::collections::btree::node::InternalNode<u32, alloc::sync::Arc<threads::thread::Thread>>"

CPU_BLOCK = "arch::percpu::CpuLocal"

# The kernel's statics the helpers start from, with their types: the size of each symbol in
# the ELF file tells which layout describes this kernel, and whether any does.
STATICS = {
    "threads::scheduler::SCHEDULER": SCHEDULER_LOCK,
    "userprog::PROCESSES": PROCESS_TABLE_LOCK,
    "vm::frame::TABLE": FRAME_TABLE_CELL,
}


# ---------------------------------------------------------------------------------------
# Memory and symbols


def read(address, size):
    try:
        return bytes(gdb.selected_inferior().read_memory(address, size))
    except gdb.MemoryError:
        raise gdb.GdbError(f"cannot read {size} bytes at {address:#x}")


def u32(address):
    return struct.unpack("<I", read(address, 4))[0]


def u16(address):
    return struct.unpack("<H", read(address, 2))[0]


def u8(address):
    return read(address, 1)[0]


def words(address, count):
    return struct.unpack(f"<{count}I", read(address, 4 * count))


def text(address, length):
    """Bytes of kernel memory as printable text (a structure read mid-change, or at a wrong
    offset, must not stop the listing)."""
    decoded = read(address, length).decode(errors="replace")
    return "".join(char if char.isprintable() else "?" for char in decoded)


def is_kernel_address(address):
    return address >= PHYS_BASE and address % 4 == 0


def kernel_file():
    path = gdb.current_progspace().filename
    if path is None:
        raise gdb.GdbError("no kernel loaded: `file target/guest/i686-rintos/release/kernel`")
    return path


def static_address(path):
    """The address of the kernel's static `path`. Rust statics carry no debug information in
    this build, and their demangled names hold the crate's hash (`kernel[85243e8a...]::`):
    they are found among gdb's non-debugging symbols."""
    listing = gdb.execute(f"info variables ::{path}$", to_string=True)
    for line in listing.splitlines():
        address, _, name = line.strip().partition(" ")
        if without_crate_hashes(name.strip()) == f"kernel::{path}":
            return int(address, 16)
    raise gdb.GdbError(f"the kernel has no static {path}")


def object_sizes(path):
    """{address: size} of the data objects in the symbol table of the ELF file at `path`
    (gdb does not show symbol sizes)."""
    with open(path, "rb") as elf:
        data = elf.read()
    section_offset, = struct.unpack_from("<I", data, 0x20)
    entry_size, count = struct.unpack_from("<HH", data, 0x2E)
    sizes = {}
    for index in range(count):
        fields = struct.unpack_from("<10I", data, section_offset + index * entry_size)
        kind, offset, size = fields[1], fields[4], fields[5]
        if kind != 2:  # SHT_SYMTAB
            continue
        for symbol in range(offset, offset + size, 16):
            _, value, symbol_size, info = struct.unpack_from("<IIIB", data, symbol)
            if info & 0xF == 1:  # STT_OBJECT
                sizes[value] = symbol_size
    return sizes


def symbol_at(pc):
    """(symbol, offset) of `pc`, from gdb's `info symbol`: `name + 18 in section .text`."""
    found = gdb.execute(f"info symbol {pc:#x}", to_string=True).strip()
    if found.startswith("No symbol"):
        return None, 0
    name, _, offset = found.split(" in section ")[0].partition(" + ")
    return without_crate_hashes(name), int(offset or 0)


def function_name(pc):
    """The kernel function containing `pc`, as its path (`kernel::vm::resolve`)."""
    return symbol_at(pc)[0]


def at_function_entry(pc):
    name, offset = symbol_at(pc)
    return name is not None and offset == 0


def without_crate_hashes(name):
    """`kernel[85243e8a...]::vm::resolve` as `kernel::vm::resolve`: gdb's demangler keeps
    each crate's hash."""
    return re.sub(r"\[[0-9a-f]+\]::", "::", name)


def describe_pc(pc, return_address):
    """`function at file:line` for `pc`, with the functions inlined there. A return address
    is looked up one byte back, in the call instruction."""
    lookup = pc - 1 if return_address else pc
    text = function_name(lookup) or "??"
    line = gdb.find_pc_line(lookup)
    if line.symtab is not None:
        text += f" at {line.symtab.filename}:{line.line}"
    inlined = []
    block = gdb.block_for_pc(lookup)
    while block is not None and not block.is_static and not block.is_global:
        if block.function is not None:
            inlined.append(block.function.name)
        block = block.superblock
    if len(inlined) > 1:
        text += f" [inlined: {' < '.join(inlined[:-1])}]"
    return text


# ---------------------------------------------------------------------------------------
# Layouts


class Layout:
    """The layouts of one kernel build (a cargo profile), and its number of CPU blocks."""

    def __init__(self, profile, types, cpus):
        self.profile = profile
        self.types = types
        self.max_cpus = cpus

    def type(self, name):
        try:
            return self.types[name]
        except KeyError:
            raise gdb.GdbError(f"{LAYOUT_FILE} has no layout of {name}: add it to the types "
                               "of `cargo run -- gdb-layout` (tools/src/gdb_layout.rs)")

    def offset(self, type_name, field):
        fields = self.type(type_name)["fields"]
        if field not in fields:
            raise gdb.GdbError(f"{type_name} has no field {field} in {LAYOUT_FILE}: "
                               "`cargo run -- gdb-layout` rewrites it")
        return fields[field]

    def size(self, type_name):
        return self.type(type_name)["size"]

    def path(self, type_name, *fields):
        """The offset of a chain of fields: `path(T, "a", U, "b")` is T.a then U.b."""
        offset = self.offset(type_name, fields[0])
        for inner_type, field in zip(fields[1::2], fields[2::2]):
            offset += self.offset(inner_type, field)
        return offset


_layout = {}


def layout():
    """The layout of the loaded kernel: the profile whose sizes of the kernel's statics match
    the symbol sizes in its ELF file."""
    path = kernel_file()
    if path not in _layout:
        sizes = object_sizes(path)
        actual = {name: sizes.get(static_address(name)) for name in STATICS}
        cpus_bytes = sizes.get(static_address("arch::percpu::CPUS"))
        with open(LAYOUT_FILE) as file:
            profiles = json.load(file)["profiles"]
        for profile, types in profiles.items():
            if all(types[type_name]["size"] == actual[name] for name, type_name in STATICS.items()):
                # CPUS is [CpuLocal; MAX_CPUS]: how many blocks, one per possible CPU.
                cpus, rest = divmod(cpus_bytes, types[CPU_BLOCK]["size"])
                if rest == 0:
                    _layout[path] = Layout(profile, types, cpus)
                    break
        else:
            raise gdb.GdbError(f"{LAYOUT_FILE} describes none of this kernel's statics: the "
                               "kernel's types changed since it was written; `cargo run -- "
                               "gdb-layout` rewrites it")
    return _layout[path]


# ---------------------------------------------------------------------------------------
# Rust containers


def spin_data(lock, data_type):
    """The data inside `lock`, a `sync::spin::SpinLock<data_type>` (`spin`'s mutex inside)."""
    return lock + layout().path(f"sync::spin::SpinLock<{data_type}>", "inner",
                                f"spin::mutex::SpinMutex<{data_type}>", "data")


def arc_data(pointer, data_type):
    """What an `Arc<data_type>` (a pointer to its ArcInner) points at."""
    return pointer + layout().offset(f"alloc::sync::ArcInner<{data_type}>", "data")


def vec_buffer(vec):
    """(address of the elements, length) of the Vec at `vec`."""
    lay = layout()
    inner = vec + lay.path(VEC, "buf", RAW_VEC, "inner")
    return u32(inner + lay.offset("alloc::raw_vec::RawVecInner", "ptr")), u32(vec + lay.offset(VEC, "len"))


def vec_elements(vec, element_size):
    """The addresses of the elements of the Vec at `vec`."""
    pointer, length = vec_buffer(vec)
    return [pointer + index * element_size for index in range(length)]


def deque_words(deque):
    """The words in the VecDeque at `deque`, front first."""
    lay = layout()
    inner = deque + lay.path(DEQUE, "buf", RAW_VEC, "inner")
    pointer = u32(inner + lay.offset("alloc::raw_vec::RawVecInner", "ptr"))
    capacity = u32(inner + lay.offset("alloc::raw_vec::RawVecInner", "cap"))
    head = u32(deque + lay.offset(DEQUE, "head"))
    length = u32(deque + lay.offset(DEQUE, "len"))
    return [u32(pointer + (head + index) % capacity * 4) for index in range(length)]


def map_items(map_address):
    """The (key, value) words of the BTreeMap at `map_address`, in key order."""
    lay = layout()
    root = map_address + lay.offset(MAP, "root")
    node = u32(root + lay.offset(MAP_ROOT, "node"))
    if node == 0:  # Option<Root>::None: the map never held anything
        return []
    return list(node_items(node, u32(root + lay.offset(MAP_ROOT, "height"))))


def node_items(node, height):
    lay = layout()
    length = u16(node + lay.offset(MAP_LEAF, "len"))
    keys = words(node + lay.offset(MAP_LEAF, "keys"), length)
    values = words(node + lay.offset(MAP_LEAF, "vals"), length)
    edges = words(node + lay.offset(MAP_INTERNAL, "edges"), length + 1) if height else None
    for index in range(length):
        if edges:
            yield from node_items(edges[index], height - 1)
        yield keys[index], values[index]
    if edges:
        yield from node_items(edges[length], height - 1)


# ---------------------------------------------------------------------------------------
# Kernel structures


class Thread:
    def __init__(self, address):
        lay = layout()
        self.address = address
        self.tid = u32(address + lay.offset(THREAD, "tid"))
        name_length = min(u32(address + lay.offset(THREAD, "name_len")), 16)
        self.name = text(address + lay.offset(THREAD, "name"), name_length)
        status = u8(address + lay.offset(THREAD, "status"))
        self.status = THREAD_STATUS[status] if status < len(THREAD_STATUS) else f"status {status}"
        self.saved_esp = u32(address + lay.offset(THREAD, "saved_esp"))
        # threads::thread::Stack: Boot { bottom, top } (tag 0) or Pages { bottom } (tag 1).
        stack = address + lay.offset(THREAD, "stack")
        stack_type = "threads::thread::Stack"
        if u32(stack) == 0:
            self.stack = (u32(stack + lay.offset(stack_type, "Boot.bottom")),
                          u32(stack + lay.offset(stack_type, "Boot.top")))
        else:
            bottom = u32(stack + lay.offset(stack_type, "Pages.bottom"))
            self.stack = (bottom, bottom + THREAD_STACK_BYTES)

    def label(self):
        return f"{self.tid} {self.name}"


def thread_at(arc):
    return Thread(arc_data(arc, THREAD))


class Scheduler:
    """What threads::scheduler::SCHEDULER holds: every thread, the ready queue, and each
    CPU's current and idle thread."""

    def __init__(self):
        lay = layout()
        scheduler = "threads::scheduler::Scheduler"
        data = spin_data(static_address("threads::scheduler::SCHEDULER"), scheduler)
        self.threads = [thread_at(arc) for _, arc in map_items(data + lay.offset(scheduler, "all"))]
        self.ready = [thread_at(arc).tid for arc in deque_words(data + lay.offset(scheduler, "ready"))]
        cpu_type = "threads::scheduler::Cpu"
        self.cpus = []
        for cpu in range(lay.max_cpus):
            entry = data + lay.offset(scheduler, "cpus") + cpu * lay.size(cpu_type)
            current, idle = (u32(entry + lay.offset(cpu_type, field)) for field in ("current", "idle"))
            self.cpus.append((thread_at(current) if current else None, thread_at(idle) if idle else None))

    def by_tid(self, tid):
        for thread in self.threads:
            if thread.tid == tid:
                return thread
        raise gdb.GdbError(f"no thread {tid} (threads: {', '.join(str(t.tid) for t in self.threads)})")


def online_cpus():
    """{cpu: address of the thread it runs} for every CPU that came up, from the per-CPU
    blocks (arch::percpu::CPUS): the word each CPU itself reads."""
    lay = layout()
    cpus = static_address("arch::percpu::CPUS")
    result = {}
    for cpu in range(lay.max_cpus):
        entry = cpus + cpu * lay.size(CPU_BLOCK)
        if u8(entry + lay.offset(CPU_BLOCK, "online")):
            result[cpu] = u32(entry + lay.offset(CPU_BLOCK, "current_thread"))
    return result


def cpu_of(thread):
    """The CPU a gdb thread stands for: QEMU gives CPU n the thread id n + 1."""
    return thread.ptid[1] - 1


def selected_cpu():
    thread = gdb.selected_thread()
    if thread is None:
        raise gdb.GdbError("the kernel is not running (attach with `target remote`)")
    return cpu_of(thread)


def cpu_registers(cpu, names):
    """Registers of CPU `cpu`, any of them: gdb reads registers of its selected thread, so
    this selects the CPU's for a moment, and then the frame the user had selected again."""
    def read_registers():
        frame = gdb.newest_frame()
        return [int(frame.read_register(name)) & 0xFFFFFFFF for name in names]

    if cpu == selected_cpu():
        return read_registers()
    selected, level = gdb.selected_thread(), gdb.selected_frame().level()
    for thread in gdb.selected_inferior().threads():
        if cpu_of(thread) == cpu:
            thread.switch()
            try:
                return read_registers()
            finally:
                selected.switch()
                gdb.execute(f"frame {level}", to_string=True)
    raise gdb.GdbError(f"gdb sees no CPU {cpu}")


class Process:
    def __init__(self, pid, arc):
        lay = layout()
        process = "userprog::Process"
        self.pid = pid
        self.address = arc_data(arc, process)
        pointer, length = vec_buffer(self.address + lay.path(process, "name", "alloc::string::String", "vec"))
        self.name = text(pointer, length)
        self.space_arc = u32(self.address + lay.offset(process, "space"))
        self.space = arc_data(self.space_arc, "vm::page::AddressSpace")

    def label(self):
        return f"{self.name}({self.pid})"

    def directory(self):
        """The kernel address of the process's page directory (arch::paging::Table)."""
        lay = layout()
        directory_arc = u32(self.space + lay.offset("vm::page::AddressSpace", "directory"))
        directory = arc_data(directory_arc, "arch::paging::PageDirectory")
        return u32(directory + lay.offset("arch::paging::PageDirectory", "table"))

    def page_count(self):
        """How many pages the supplemental page table holds."""
        pages_type = "alloc::collections::BTreeMap<usize, alloc::sync::Arc<vm::page::Page>>"
        table = spin_data(self.space + layout().offset("vm::page::AddressSpace", "pages"), pages_type)
        return len(map_items(table))


def processes():
    table = spin_data(static_address("userprog::PROCESSES"),
                      "alloc::collections::BTreeMap<u32, alloc::sync::Arc<userprog::Process>>")
    return [Process(pid, arc) for pid, arc in map_items(table)]


# ---------------------------------------------------------------------------------------
# Commands


class Rintos(gdb.Command):
    """Rintos' gdb helpers (tools/gdb/rintos.py).

rintos-threads           every thread (tid, name, status, kernel stack, saved stack pointer),
                         the ready queue, and what each CPU runs
rintos-frames            the frame table: every frame not free, with its pages and pins
rintos-pagetable [PID]   the present user mappings of a process (default: the one that runs
                         on gdb's selected CPU)
rintos-backtrace [TID]   the call stack of the selected CPU, or of thread TID, going on
                         through interrupt and page-fault frames

Kernel functions have no crate path in gdb's line tables: `break resolve`, or a file and line
(`break kernel/src/vm/mod.rs:126`). `help rintos-threads` and so on say more."""

    def __init__(self):
        super().__init__("rintos", gdb.COMMAND_USER)

    def invoke(self, argument, from_tty):
        gdb.execute("help rintos")


class RintosThreads(gdb.Command):
    """List every kernel thread and what each CPU runs.

For each thread of the scheduler's table (threads::scheduler::SCHEDULER): its tid, name,
status, kernel stack (lowest and highest address) and the stack pointer saved when it was
last switched out (stale while it runs). Then each CPU that came up with the thread it runs
(the word of its block in arch::percpu::CPUS; the scheduler's `current` for that CPU is
shown too if it differs, as in the middle of a switch) and its idle thread, and the ready
queue, front first."""

    def __init__(self):
        super().__init__("rintos-threads", gdb.COMMAND_DATA)

    def invoke(self, argument, from_tty):
        scheduler = Scheduler()
        cpus = online_cpus()
        running = {address: cpu for cpu, address in cpus.items()}
        print(f"{'tid':>4}  {'name':<16} {'status':<8} {'kernel stack':<23}  saved esp")
        for thread in scheduler.threads:
            cpu = running.get(thread.address)
            where = f"  (on CPU {cpu})" if cpu is not None else ""
            print(f"{thread.tid:>4}  {thread.name:<16} {thread.status:<8} "
                  f"{thread.stack[0]:#010x}-{thread.stack[1]:#010x}  {thread.saved_esp:#010x}{where}")
        for cpu, address in sorted(cpus.items()):
            current, idle = scheduler.cpus[cpu]
            line = f"CPU {cpu}: runs {Thread(address).label() if address else 'nothing yet'}"
            if current is not None and current.address != address:
                line += f" (the scheduler's current: {current.label()})"
            print(f"{line}; idle thread {idle.label() if idle else 'none yet'}")
        print(f"ready queue: {' '.join(str(tid) for tid in scheduler.ready) or 'empty'}")


class RintosFrames(gdb.Command):
    """List the frames of the user pool that are not free (vm::frame::TABLE).

For each: its number in the table, physical address and state: filling (a fault or a
write-back owns it), in use (with its pins, whether it is shared or being cleaned ahead, and
each user: the process and the user page mapped to it), or evicting. Then how many frames are in each state."""

    def __init__(self):
        super().__init__("rintos-frames", gdb.COMMAND_DATA)

    def invoke(self, argument, from_tty):
        lay = layout()
        cell = static_address("vm::frame::TABLE")
        table = cell + lay.offset(FRAME_TABLE_CELL, "inner")
        table_type = "vm::frame::FrameTable"
        first_page = u32(table + lay.offset(table_type, "first_page"))
        lock_type = "sync::spin::SpinLock<vm::frame::FrameState>"
        frames = vec_elements(table + lay.offset(table_type, "frames"), lay.size(lock_type))
        owners = {process.space_arc: process for process in processes()}
        counts = {}
        print(f"{'frame':>5}  {'physical':<10}  state")
        for index, lock in enumerate(frames):
            state, detail = frame_state(spin_data(lock, "vm::frame::FrameState"), owners)
            counts[state] = counts.get(state, 0) + 1
            if state != "free":
                print(f"{index:>5}  {(first_page + index) * PAGE_SIZE:#010x}  {state}{detail}")
        summary = ", ".join(f"{count} {state}" for state, count in sorted(counts.items()))
        print(f"{len(frames)} frames from physical {first_page * PAGE_SIZE:#x}: {summary}")


def frame_state(state, owners):
    """(state, details) of the vm::frame::FrameState at `state`."""
    lay = layout()
    frame_type = "vm::frame::FrameState"
    # FrameState keeps its variant in the niche of InUse's `share: Option<ShareKey>`, whose
    # own tag (0 None, 1 Some) is the first word: 0 and 1 mean InUse, and the other variants
    # are 2 + their index in declaration order (Free 0, Filling 1, InUse 2, Evicting 3).
    tag = u32(state)
    if tag == 2:
        return "free", ""
    if tag == 3:
        return "filling", ""
    if tag == 5:
        return "evicting", ""
    if tag > 1:
        raise gdb.GdbError(f"frame state at {state:#x} has tag {tag}: "
                           "vm::frame::FrameState changed; see rintos.py")
    users = []
    for user in vec_elements(state + lay.offset(frame_type, "InUse.users"), lay.size("vm::frame::User")):
        space = u32(user + lay.offset("vm::frame::User", "space"))
        page = arc_data(u32(user + lay.offset("vm::frame::User", "page")), "vm::page::Page")
        upage = u32(page + lay.offset("vm::page::Page", "upage"))
        owner = owners.get(space)
        users.append(f"{owner.label() if owner else 'exited process'} {upage:#010x}")
    pins = u32(state + lay.offset(frame_type, "InUse.pins"))
    shared = " shared" if tag == 1 else ""
    cleaning = " cleaning" if u8(state + lay.offset(frame_type, "InUse.cleaning")) else ""
    # A page read ahead that no fault has mapped yet (vm::readahead).
    prefetched = " read ahead" if u8(state + lay.offset(frame_type, "InUse.prefetched")) else ""
    return "in use", f"{shared}{cleaning}{prefetched} pins {pins}: {', '.join(users) or 'no users'}"


class RintosPagetable(gdb.Command):
    """List the present user mappings of process PID (default: the process of the thread that
runs on gdb's selected CPU).

Walks the process's page directory (its AddressSpace's PageDirectory; physical memory is
mapped at 0xC0000000) and prints each present user page: virtual page, physical frame (and
its number in the frame table), and whether it is writable, accessed and dirty. Then how
many pages the supplemental page table holds."""

    def __init__(self):
        super().__init__("rintos-pagetable", gdb.COMMAND_DATA)

    def invoke(self, argument, from_tty):
        table = processes()
        if argument.strip():
            pid = int(gdb.parse_and_eval(argument))
            missing = f"no process {pid}"
        else:
            cpu = selected_cpu()
            thread = Thread(online_cpus()[cpu])
            pid = thread.tid  # a process's pid is its thread's tid
            missing = f"CPU {cpu} runs thread {thread.label()}, which runs no process"
        process = next((process for process in table if process.pid == pid), None)
        if process is None:
            listed = ", ".join(process.label() for process in table) or "none"
            raise gdb.GdbError(f"{missing}; processes: {listed}")
        lay = layout()
        frame_table = static_address("vm::frame::TABLE") + lay.offset(FRAME_TABLE_CELL, "inner")
        first_page = u32(frame_table + lay.offset("vm::frame::FrameTable", "first_page"))
        directory = process.directory()
        print(f"process {process.label()}: page directory at {directory:#x} "
              f"(physical {directory - PHYS_BASE:#x})")
        print(f"{'page':<10}  {'frame':<10}  {'#':>4}  flags")
        present = 0
        for index, pde in enumerate(words(directory, USER_DIRECTORY_ENTRIES)):
            if not pde & PTE_PRESENT or pde & PDE_LARGE:
                continue
            for slot, pte in enumerate(words((pde & ~0xFFF) + PHYS_BASE, 1024)):
                if not pte & PTE_PRESENT:
                    continue
                present += 1
                frame = pte & ~0xFFF
                flags = "".join(letter if pte & bit else "-" for letter, bit in
                                (("w", PTE_WRITABLE), ("a", PTE_ACCESSED), ("d", PTE_DIRTY)))
                print(f"{(index << 22) | (slot << 12):#010x}  {frame:#010x}  "
                      f"{frame // PAGE_SIZE - first_page:>4}  {flags}")
        print(f"{present} present; the supplemental page table holds {process.page_count()} pages")


class RintosBacktrace(gdb.Command):
    """Print a call stack that goes on through interrupt and page-fault frames.

Without an argument: the CPU gdb has selected, from its registers. With TID: that thread,
from its registers if it runs, else from the stack pointer it saved at its last switch.

It follows the saved frame pointers, as the kernel's panic report does (kernel/src/panic.rs).
Every interrupt enters through intr_entry (kernel/src/arch/idt.rs), which builds a fake call
frame (interrupted eip, interrupted ebp) under the InterruptFrame: where the chain reaches it,
this prints the interrupt frame (vector, error code, the interrupted eip, cs, eflags, user
esp; CR2 for a page fault) and goes on in the interrupted code, or stops if that was user
mode. gdb's own `bt` stops there, as intr_entry has no unwind information."""

    MAX_FRAMES = 64

    def __init__(self):
        super().__init__("rintos-backtrace", gdb.COMMAND_STACK)

    def invoke(self, argument, from_tty):
        if argument.strip():
            walk_stack(*thread_context(int(gdb.parse_and_eval(argument))))
        else:
            cpu = selected_cpu()
            walk_stack(*cpu_registers(cpu, ("eip", "ebp", "esp")), cpu)


def thread_context(tid):
    """(eip, ebp, esp, CPU) of thread `tid`: its CPU's registers if it runs, else what
    arch::switch::switch_stacks pushed when it was switched out (edi, esi, ebx, ebp, then
    the return address), and no CPU."""
    thread = Scheduler().by_tid(tid)
    for cpu, address in online_cpus().items():
        if address == thread.address:
            return (*cpu_registers(cpu, ("eip", "ebp", "esp")), cpu)
    ebp, eip = words(thread.saved_esp + 12, 2)
    return eip, ebp, thread.saved_esp + 20, None


def walk_stack(pc, ebp, esp, cpu):
    """Prints the frames from `pc` up the frame-pointer chain from `ebp`, for the thread
    running on `cpu`, or a thread switched out (`cpu` None), which resumes at a return
    address: after its call of switch_stacks."""
    print(f"#0  {pc:#010x} in {describe_pc(pc, return_address=cpu is None)}")
    # At the first instruction of a function, before `push ebp; mov ebp, esp`, ebp is still
    # the caller's frame: its return address is at the top of the stack.
    if cpu is not None and at_function_entry(pc):
        print(f"#1  {u32(esp):#010x} in {describe_pc(u32(esp), return_address=True)}")
        depth = 2
    else:
        depth = 1
    while depth < RintosBacktrace.MAX_FRAMES and is_kernel_address(ebp):
        saved_ebp, return_address = words(ebp, 2)
        if return_address == 0:
            break
        if function_name(return_address - 1) == "intr_entry":
            # `saved_ebp` is intr_entry's fake frame; the InterruptFrame lies right above it.
            frame = InterruptFrame(saved_ebp + 8)
            frame.print(cpu)
            if frame.from_user():
                print("    (interrupted in user mode: the kernel stack ends here)")
                return
            print(f"#{depth}  {frame.eip:#010x} in {describe_pc(frame.eip, return_address=False)}")
            ebp = frame.ebp
        else:
            print(f"#{depth}  {return_address:#010x} in {describe_pc(return_address, return_address=True)}")
            if saved_ebp != 0 and saved_ebp <= ebp:
                print("    (frame pointer chain goes down the stack: corrupt)")
                return
            ebp = saved_ebp
        depth += 1


class InterruptFrame:
    """The arch::idt::InterruptFrame at `address`: the state intr_entry saved."""

    TYPE = "arch::idt::InterruptFrame"

    def __init__(self, address):
        self.address = address

    def __getattr__(self, field):
        return u32(self.address + layout().offset(self.TYPE, field))

    def from_user(self):
        return self.cs & 3 == 3

    def print(self, cpu):
        """Prints the frame, with the CR2 of `cpu` for a page fault on that CPU's stack."""
        mode = "user" if self.from_user() else "kernel"
        print(f"    -- interrupt frame at {self.address:#x}: vector {self.vector:#04x}, "
              f"error code {self.error_code:#x}, from {mode} mode")
        line = f"       eip {self.eip:#010x}  cs {self.cs:#x}  eflags {self.eflags:#x}"
        if self.from_user():  # the CPU pushes the user stack pointer only then
            line += f"  user esp {self.user_esp:#010x}"
        print(line)
        if self.vector == PAGE_FAULT_VECTOR:
            kind = "protection" if self.error_code & 1 else "not present"
            access = "write" if self.error_code & 2 else "read"
            line = f"       page fault: {kind}, {access}"
            if cpu is not None:
                cr2, = cpu_registers(cpu, ("cr2",))
                line += f"; cr2 {cr2:#010x} (the last fault address of CPU {cpu})"
            print(line)


Rintos()
RintosThreads()
RintosFrames()
RintosPagetable()
RintosBacktrace()
