//! The merge-sort tests of `src/tests/vm` (page-merge-*): about 1 MiB of ARC4 noise is cut
//! into chunks, child processes sort the chunks (each through a file), and the parent
//! merges them and checks the result against a histogram of the original bytes. The
//! two megabytes of data exceed physical memory, so they must page.
use core::fmt;

use rintos_algo::Arc4;

use crate::cstr::StrBuf;
use crate::syscall::{Pid, close, create, exec, open, read, wait, write};
use crate::testlib::set_quiet;
use crate::{ProcessGlobal, check, fail, msg};

/// How often each byte value occurs in the data.
pub type Histogram = [usize; 256];

/// Fills `data` with the ARC4 keystream of "foobar" and counts its bytes.
pub fn init(data: &mut [u8], histogram: &mut Histogram) {
    msg!("init");
    Arc4::new(b"foobar").crypt(data);
    for &byte in data.iter() {
        histogram[usize::from(byte)] += 1;
    }
}

/// Merges the sorted chunks of `chunk_size` bytes in `data` into `sorted`: repeatedly
/// takes the smallest head among the chunks that still have bytes.
pub fn merge(data: &[u8], sorted: &mut [u8], chunk_size: usize) {
    msg!("merge");
    // The unfinished chunks, as their remaining bytes.
    let mut chunks: [&[u8]; 16] = [&[]; 16];
    let mut live = 0;
    for chunk in data.chunks(chunk_size) {
        chunks[live] = chunk;
        live += 1;
    }
    for output in sorted.iter_mut() {
        let smallest = (0..live)
            .min_by_key(|&index| chunks[index][0])
            .expect("bytes left to merge");
        *output = chunks[smallest][0];
        chunks[smallest] = &chunks[smallest][1..];
        if chunks[smallest].is_empty() {
            live -= 1;
            chunks[smallest] = chunks[live];
        }
    }
}

/// Checks that `sorted` holds exactly the counted bytes in ascending order.
pub fn verify(sorted: &[u8], histogram: &Histogram) {
    msg!("verify");
    let mut index = 0;
    for (value, &count) in histogram.iter().enumerate() {
        for _ in 0..count {
            if usize::from(sorted[index]) != value {
                fail!("bad value {} in byte {}", sorted[index], index);
            }
            index += 1;
        }
    }
    msg!("success, buf_idx={}", Thousands(index));
}

/// page-merge-par, -stk and -mm: 1 MiB of data in 8 chunks of 128 KiB; each chunk goes to its
/// own file `buf<i>`, sorted by a child `<child_name> buf<i>` that must exit with
/// `exit_status`, all children running at once.
pub fn parallel_merge(child_name: &str, exit_status: i32) {
    const CHUNK_SIZE: usize = 128 * 1024;
    const CHUNK_COUNT: usize = 8;
    const DATA_SIZE: usize = CHUNK_SIZE * CHUNK_COUNT;
    // In the bss, not on the stack: the two megabytes are what makes the test page.
    static DATA: ProcessGlobal<[u8; DATA_SIZE]> = ProcessGlobal::new([0; DATA_SIZE]);
    static SORTED: ProcessGlobal<[u8; DATA_SIZE]> = ProcessGlobal::new([0; DATA_SIZE]);
    static HISTOGRAM: ProcessGlobal<Histogram> = ProcessGlobal::new([0; 256]);
    let (mut data, mut sorted, mut histogram) =
        (DATA.borrow_mut(), SORTED.borrow_mut(), HISTOGRAM.borrow_mut());
    let (data, sorted, histogram) = (&mut data[..], &mut sorted[..], &mut *histogram);

    init(data, histogram);

    let mut children: [Pid; CHUNK_COUNT] = [0; CHUNK_COUNT];
    for (index, (chunk, child)) in data.chunks(CHUNK_SIZE).zip(&mut children).enumerate() {
        msg!("sort chunk {}", index);
        let file_name = StrBuf::<16>::format(format_args!("buf{index}"));
        create(file_name.as_cstr(), CHUNK_SIZE as u32);
        set_quiet(true);
        check!(let fd = open(file_name.as_cstr()) => fd > 1, "open \"{}\"", file_name);
        write(fd, chunk);
        close(fd);

        let command = StrBuf::<128>::format(format_args!("{child_name} {file_name}"));
        check!(let pid = exec(command.as_cstr()) => pid != -1, "exec \"{}\"", command);
        *child = pid;
        set_quiet(false);
    }

    for (index, (chunk, &child)) in data.chunks_mut(CHUNK_SIZE).zip(&children).enumerate() {
        check!(wait(child) == exit_status, "wait for child {}", index);
        set_quiet(true);
        let file_name = StrBuf::<16>::format(format_args!("buf{index}"));
        check!(let fd = open(file_name.as_cstr()) => fd > 1, "open \"{}\"", file_name);
        read(fd, chunk);
        close(fd);
        set_quiet(false);
    }

    merge(data, sorted, CHUNK_SIZE);
    verify(sorted, histogram);
}

/// Shows a number with thousands separators (`1,048,576`), as `%'zu` does.
pub struct Thousands(pub usize);

impl fmt::Display for Thousands {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.0 < 1000 {
            return write!(f, "{}", self.0);
        }
        write!(f, "{},{:03}", Thousands(self.0 / 1000), self.0 % 1000)
    }
}
