//! The binary interface between Rintos and its user programs, shared by the kernel, the
//! user runtime and the host tools so that a number is written down exactly once.
//!
//! Everything here follows the classic Pintos user library: programs built for Pintos run
//! unchanged on Rintos.
#![no_std]

pub mod latency;

/// The lowest kernel virtual address; user addresses are below it.
pub const PHYS_BASE: u32 = 0xC000_0000;
/// Bytes in a page.
pub const PAGE_SIZE: usize = 4096;
/// Where user executables are linked (the first PT_LOAD usually starts here).
pub const USER_CODE_BASE: u32 = 0x0804_8000;
/// Bytes of an ELF32 file header.
pub const ELF32_HEADER_SIZE: usize = 52;
/// Bytes of one ELF32 program header.
pub const ELF32_PROGRAM_HEADER_SIZE: usize = 32;
/// The maximum size of the user stack; stack growth beyond it kills the process.
pub const STACK_LIMIT: u32 = 8 * 1024 * 1024;
/// The lowest address the stack may grow down to.
pub const STACK_BOTTOM: u32 = PHYS_BASE - STACK_LIMIT;
/// How far below the user `esp` a fault may be and still grow the stack (`PUSHA` writes 32
/// bytes below `esp`).
pub const STACK_SLACK: u32 = 32;

/// The software-interrupt vector of a system call (`int $0x30`).
pub const SYSCALL_VECTOR: u8 = 0x30;

/// File descriptor of the keyboard.
pub const STDIN_FILENO: i32 = 0;
/// File descriptor of the console.
pub const STDOUT_FILENO: i32 = 1;
/// The longest file name the base file system accepts.
pub const NAME_MAX: usize = 14;
/// `exec` and `wait` report failure with this value.
pub const PID_ERROR: i32 = -1;
/// `mmap` reports failure with this value.
pub const MAP_FAILED: i32 = -1;

/// System-call numbers, consecutive from 0 as in Pintos' `lib/syscall-nr.h`.
pub mod nr {
    pub const HALT: u32 = 0;
    pub const EXIT: u32 = 1;
    pub const EXEC: u32 = 2;
    pub const WAIT: u32 = 3;
    pub const CREATE: u32 = 4;
    pub const REMOVE: u32 = 5;
    pub const OPEN: u32 = 6;
    pub const FILESIZE: u32 = 7;
    pub const READ: u32 = 8;
    pub const WRITE: u32 = 9;
    pub const SEEK: u32 = 10;
    pub const TELL: u32 = 11;
    pub const CLOSE: u32 = 12;
    pub const MMAP: u32 = 13;
    pub const MUNMAP: u32 = 14;
    pub const CHDIR: u32 = 15;
    pub const MKDIR: u32 = 16;
    pub const READDIR: u32 = 17;
    pub const ISDIR: u32 = 18;
    pub const INUMBER: u32 = 19;

    /// Rintos' own calls start here, above the classic range, so no Pintos program can
    /// reach them by accident.
    pub const RINTOS_BASE: u32 = 0x100;
    /// `int vm_stats(struct vm_stats *out, unsigned size)`: copies the kernel's fault and
    /// resource counters ([`crate::VmStats`]) into `out`; returns the bytes copied.
    pub const VM_STATS: u32 = RINTOS_BASE;
    /// `int file_frames(int fd)`: how many frames hold pages of the file open as `fd` (its
    /// shared read-only executable pages); -1 for a bad descriptor.
    pub const FILE_FRAMES: u32 = RINTOS_BASE + 1;
    /// `int fault_latency(unsigned class, uint64_t *counts, unsigned size)`: copies the
    /// latency histogram of fault class `class` ([`crate::latency::FaultClass`], counts of
    /// nanoseconds per [`crate::latency`] bucket, little-endian `u64`s) into `counts`;
    /// returns the bytes copied, or -1 for a class out of range.
    pub const FAULT_LATENCY: u32 = RINTOS_BASE + 2;
    /// `int process_list(struct process_info *out, unsigned size)`: copies one
    /// [`crate::ProcessInfo`] per process, in pid order, as many whole records as fit in
    /// `size` bytes; returns how many processes there are, so that a caller whose buffer
    /// was too small can retry with a larger one.
    pub const PROCESS_LIST: u32 = RINTOS_BASE + 3;
}

/// The counters `vm_stats` copies out: little-endian `u64`s in this order. New fields are
/// only ever appended, so an older program that asks for fewer bytes still works.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VmStats {
    /// Page-fault exceptions, valid or not.
    pub page_faults: u64,
    /// Faults resolved by kind (minor: zero-fill, already resident, shared; major: swap-in,
    /// executable read, mapped-file read).
    pub zero_fill: u64,
    pub resident: u64,
    pub shared: u64,
    pub swap_in: u64,
    pub file_read: u64,
    pub mmap_read: u64,
    /// Faults that found their page's fill or eviction in flight and waited for it.
    pub collisions: u64,
    /// Faults that started over after waiting.
    pub retries: u64,
    /// Evictions that dropped a clean page, and that wrote a dirty one out.
    pub evictions_clean: u64,
    pub evictions_dirty: u64,
    /// Pages written to and read from swap.
    pub swap_outs: u64,
    pub swap_ins: u64,
    /// User frames in use now, and frames shared through the share table.
    pub frames_in_use: u64,
    pub shared_frames: u64,
    /// Free and total swap slots.
    pub swap_free: u64,
    pub swap_total: u64,
    /// Minor faults that completed while at least one major fault was waiting for the disk.
    pub minor_during_major: u64,
    /// Timer ticks spent in user mode while at least one major fault was waiting.
    pub user_ticks_during_major: u64,
    /// Major faults in flight right now.
    pub majors_in_flight: u64,
    /// Faults that had to wait (their thread parked at least once: disk I/O, another
    /// fault's fill, a busy frame).
    pub deferred: u64,
    /// ATA commands issued, and completion interrupts that woke their waiter.
    pub ata_requests: u64,
    pub irq_wakeups: u64,
    /// Polls of futures by `block_on` and the executor.
    pub executor_polls: u64,
    /// The most user frames ever in use at once.
    pub frames_peak: u64,
    /// Swap slots in use now, and the most ever in use at once.
    pub swap_used: u64,
    pub swap_used_peak: u64,
    /// Time-stamp-counter cycles per second (calibrated against the PIT at boot): user
    /// programs that read the TSC convert with it.
    pub tsc_per_second: u64,
    /// CPUs running.
    pub cpus_online: u64,
    /// TLB shootdown rounds (interrupts sent to other CPUs so that they forget removed
    /// translations), and the CPUs those rounds interrupted.
    pub tlb_shootdowns: u64,
    pub tlb_shootdown_cpus: u64,
    /// User-frame allocations served by a CPU's own cache of free frames, and refills of
    /// such a cache from the user pool.
    pub frame_cache_hits: u64,
    pub frame_cache_refills: u64,
    /// Evictions of a page read back from swap and not written since: its slot still held
    /// it, so the eviction wrote nothing (the swap cache).
    pub swap_cache_hits: u64,
    /// ATA requests moved by bus-master DMA (the others of `ata_requests` went by PIO).
    pub ata_dma_requests: u64,
    /// Pages the pageout task wrote to swap ahead of need (clean-ahead).
    pub clean_ahead_writes: u64,
    /// Faults that found their page already read ahead (and mapped it), and pages read ahead
    /// that were evicted or freed before any fault used them.
    pub read_ahead_hits: u64,
    pub read_ahead_wasted: u64,
    /// Faults that waited for another process's turn to write pages out (load control).
    pub load_control_waits: u64,
    /// Fills of major faults that ran as tasks on the kernel executor while the faulting
    /// thread parked (`-fill=executor`).
    pub executor_fills: u64,
}

impl VmStats {
    /// Number of counters.
    pub const FIELDS: usize = core::mem::size_of::<VmStats>() / 8;

    /// The counters' names in wire order (the field names with `-` for `_`), for reports.
    pub const NAMES: [&'static str; Self::FIELDS] = [
        "page-faults",
        "zero-fill",
        "resident",
        "shared",
        "swap-in",
        "file-read",
        "mmap-read",
        "collisions",
        "retries",
        "evictions-clean",
        "evictions-dirty",
        "swap-outs",
        "swap-ins",
        "frames-in-use",
        "shared-frames",
        "swap-free",
        "swap-total",
        "minor-during-major",
        "user-ticks-during-major",
        "majors-in-flight",
        "deferred",
        "ata-requests",
        "irq-wakeups",
        "executor-polls",
        "frames-peak",
        "swap-used",
        "swap-used-peak",
        "tsc-per-second",
        "cpus-online",
        "tlb-shootdowns",
        "tlb-shootdown-cpus",
        "frame-cache-hits",
        "frame-cache-refills",
        "swap-cache-hits",
        "ata-dma-requests",
        "clean-ahead-writes",
        "read-ahead-hits",
        "read-ahead-wasted",
        "load-control-waits",
        "executor-fills",
    ];

    /// The counters in their wire order.
    pub fn to_array(&self) -> [u64; Self::FIELDS] {
        [
            self.page_faults,
            self.zero_fill,
            self.resident,
            self.shared,
            self.swap_in,
            self.file_read,
            self.mmap_read,
            self.collisions,
            self.retries,
            self.evictions_clean,
            self.evictions_dirty,
            self.swap_outs,
            self.swap_ins,
            self.frames_in_use,
            self.shared_frames,
            self.swap_free,
            self.swap_total,
            self.minor_during_major,
            self.user_ticks_during_major,
            self.majors_in_flight,
            self.deferred,
            self.ata_requests,
            self.irq_wakeups,
            self.executor_polls,
            self.frames_peak,
            self.swap_used,
            self.swap_used_peak,
            self.tsc_per_second,
            self.cpus_online,
            self.tlb_shootdowns,
            self.tlb_shootdown_cpus,
            self.frame_cache_hits,
            self.frame_cache_refills,
            self.swap_cache_hits,
            self.ata_dma_requests,
            self.clean_ahead_writes,
            self.read_ahead_hits,
            self.read_ahead_wasted,
            self.load_control_waits,
            self.executor_fills,
        ]
    }

    /// Rebuilds the counters from their wire order (missing trailing fields are zero).
    pub fn from_array(values: &[u64]) -> VmStats {
        let at = |i: usize| values.get(i).copied().unwrap_or(0);
        VmStats {
            page_faults: at(0),
            zero_fill: at(1),
            resident: at(2),
            shared: at(3),
            swap_in: at(4),
            file_read: at(5),
            mmap_read: at(6),
            collisions: at(7),
            retries: at(8),
            evictions_clean: at(9),
            evictions_dirty: at(10),
            swap_outs: at(11),
            swap_ins: at(12),
            frames_in_use: at(13),
            shared_frames: at(14),
            swap_free: at(15),
            swap_total: at(16),
            minor_during_major: at(17),
            user_ticks_during_major: at(18),
            majors_in_flight: at(19),
            deferred: at(20),
            ata_requests: at(21),
            irq_wakeups: at(22),
            executor_polls: at(23),
            frames_peak: at(24),
            swap_used: at(25),
            swap_used_peak: at(26),
            tsc_per_second: at(27),
            cpus_online: at(28),
            tlb_shootdowns: at(29),
            tlb_shootdown_cpus: at(30),
            frame_cache_hits: at(31),
            frame_cache_refills: at(32),
            swap_cache_hits: at(33),
            ata_dma_requests: at(34),
            clean_ahead_writes: at(35),
            read_ahead_hits: at(36),
            read_ahead_wasted: at(37),
            load_control_waits: at(38),
            executor_fills: at(39),
        }
    }
}

/// One process as `process_list` reports it: 28 bytes, the fields in this order, integers
/// little-endian. That is also this struct's layout on i386, so a user program may let the
/// kernel write into an array of them. New fields are only ever appended, in a new call.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProcessInfo {
    pub pid: u32,
    /// Pages of its address space held in a frame now.
    pub resident_pages: u32,
    /// Pages of its address space whose only copy is in a swap slot.
    pub swapped_pages: u32,
    /// The program name (the first word of its command line), NUL-padded: at most
    /// [`ProcessInfo::NAME_BYTES`]` - 1` bytes, so a NUL always ends it.
    pub name: [u8; ProcessInfo::NAME_BYTES],
}

impl ProcessInfo {
    /// Bytes of one record.
    pub const SIZE: usize = 12 + Self::NAME_BYTES;
    /// Bytes of the name field; a longer name is cut at a character boundary.
    pub const NAME_BYTES: usize = 16;

    pub fn new(pid: u32, name: &str, resident_pages: u32, swapped_pages: u32) -> ProcessInfo {
        let mut end = name.len().min(Self::NAME_BYTES - 1);
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        let mut name_bytes = [0; Self::NAME_BYTES];
        name_bytes[..end].copy_from_slice(&name.as_bytes()[..end]);
        ProcessInfo { pid, resident_pages, swapped_pages, name: name_bytes }
    }

    /// The name up to its NUL ("?" if it is not UTF-8).
    pub fn name(&self) -> &str {
        let length = self.name.iter().position(|&byte| byte == 0).unwrap_or(self.name.len());
        core::str::from_utf8(&self.name[..length]).unwrap_or("?")
    }

    /// The record as `process_list` copies it.
    pub fn to_bytes(&self) -> [u8; Self::SIZE] {
        let mut bytes = [0; Self::SIZE];
        bytes[0..4].copy_from_slice(&self.pid.to_le_bytes());
        bytes[4..8].copy_from_slice(&self.resident_pages.to_le_bytes());
        bytes[8..12].copy_from_slice(&self.swapped_pages.to_le_bytes());
        bytes[12..].copy_from_slice(&self.name);
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_stats_round_trip_through_the_wire_order() {
        let values: [u64; VmStats::FIELDS] = core::array::from_fn(|i| i as u64 * 7 + 1);
        assert_eq!(VmStats::from_array(&values).to_array(), values);
    }

    #[test]
    fn a_short_copy_leaves_later_counters_zero() {
        let stats = VmStats::from_array(&[5, 6]);
        assert_eq!((stats.page_faults, stats.zero_fill, stats.majors_in_flight), (5, 6, 0));
    }

    #[test]
    fn a_process_record_is_its_fields_in_order_and_as_laid_out_on_i386() {
        let record = ProcessInfo::new(0x0102_0304, "ps", 7, 0x100);
        let bytes = record.to_bytes();
        assert_eq!(bytes[..12], [4, 3, 2, 1, 7, 0, 0, 0, 0, 1, 0, 0]);
        assert_eq!(&bytes[12..], b"ps\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
        assert_eq!(core::mem::size_of::<ProcessInfo>(), ProcessInfo::SIZE);
        assert_eq!(core::mem::align_of::<ProcessInfo>(), 4);
        assert_eq!(record.name(), "ps");
    }

    #[test]
    fn a_long_process_name_is_cut_at_a_character_boundary_and_ends_in_nul() {
        assert_eq!(ProcessInfo::new(1, "a-much-longer-program-name", 0, 0).name(), "a-much-longer-p");
        // 14 ASCII bytes, then a two-byte character that would end at byte 16.
        assert_eq!(ProcessInfo::new(1, "fourteen-bytes\u{e9}", 0, 0).name(), "fourteen-bytes");
        assert_eq!(ProcessInfo::new(1, "", 0, 0).name(), "");
    }
}
