//! System calls: `int $0x30` with the number and arguments on the user stack, the result in
//! `eax` (Pintos' `lib/user/syscall.c`). Every argument is read through `UserMemory`, which
//! validates it to the byte; a bad pointer, number or descriptor that Pintos defines as fatal
//! kills the process with status -1.

use alloc::vec;
use alloc::vec::Vec;

use rintos_abi::nr;

use super::fd::Handle;
use super::{Process, current};
use crate::arch::idt::InterruptFrame;
use crate::devices::input;
use crate::memory::PAGE_SIZE;
use crate::vm::usermem::{BadAddress, UserMemory};
use crate::{console, fs, task, vm};

/// The longest file name or command line we copy in; longer ones are refused, not fatal.
const MAX_STRING: usize = PAGE_SIZE;
/// Console writes are copied in from user memory this much at a time (the console then
/// prints them a line at a time).
const CONSOLE_CHUNK: usize = 64 * 1024;

/// The process ends: by `exit(status)`, or killed with -1 for a bad pointer or a call that
/// makes no sense.
struct Exit(i32);

impl From<BadAddress> for Exit {
    fn from(_: BadAddress) -> Exit {
        Exit(-1)
    }
}

type Result<T> = core::result::Result<T, Exit>;

/// Vector 0x30.
pub fn handle(frame: &mut InterruptFrame) {
    let esp = frame.user_esp as usize;
    let outcome = {
        let process = current();
        let memory = UserMemory::new(&process.space, esp);
        dispatch(&process, &memory, esp)
    };
    // `exit` never returns: everything this frame holds must be dropped before it.
    match outcome {
        Ok(value) => frame.eax = value,
        Err(Exit(status)) => super::exit(status),
    }
}

fn dispatch(process: &Process, memory: &UserMemory, esp: usize) -> Result<u32> {
    let number = memory.read_u32(esp)?;
    let arg = |index: usize| memory.read_u32(esp + 4 * (index + 1));
    let int = |index: usize| arg(index).map(|value| value as i32);
    Ok(match number {
        nr::HALT => crate::stats::power_off(),
        nr::EXIT => return Err(Exit(int(0)?)),
        nr::EXEC => exec(process, memory, arg(0)? as usize)? as u32,
        nr::WAIT => super::wait(arg(0)?) as u32,
        nr::CREATE => {
            let name = memory.read_string(arg(0)? as usize, MAX_STRING)?;
            let size = arg(1)?;
            u32::from(name.is_some_and(|name| fs::create(&name, size).is_ok()))
        }
        nr::REMOVE => {
            let name = memory.read_string(arg(0)? as usize, MAX_STRING)?;
            u32::from(name.is_some_and(|name| fs::remove(&name).is_ok()))
        }
        nr::OPEN => open(process, memory, arg(0)? as usize)? as u32,
        nr::FILESIZE => process.files.lock().file(int(0)?).map_or(-1, |file| file.length() as i32) as u32,
        nr::READ => read(process, memory, int(0)?, arg(1)? as usize, arg(2)? as usize)? as u32,
        nr::WRITE => write(process, memory, int(0)?, arg(1)? as usize, arg(2)? as usize)? as u32,
        nr::SEEK => {
            let (fd, position) = (int(0)?, arg(1)?);
            if let Some(file) = process.files.lock().file(fd) {
                file.seek(position);
            }
            0
        }
        nr::TELL => process.files.lock().file(int(0)?).map_or(0, |file| file.tell()),
        nr::CLOSE => {
            let fd = int(0)?;
            process.files.lock().close(fd);
            0
        }
        nr::MMAP => mmap(process, int(0)?, arg(1)? as usize) as u32,
        nr::MUNMAP => {
            munmap(process, int(0)?);
            0
        }
        nr::READDIR => readdir(process, memory, int(0)?, arg(1)? as usize)? as u32,
        nr::ISDIR => u32::from(matches!(process.files.lock().get(int(0)?), Some(Handle::Directory { .. }))),
        nr::INUMBER => process.files.lock().file(int(0)?).map_or(-1, |file| file.inode().sector() as i32) as u32,
        nr::VM_STATS => vm::stats::copy_to_user(memory, arg(0)? as usize, arg(1)? as usize)? as u32,
        nr::FAULT_LATENCY => vm::stats::copy_latency_to_user(memory, arg(0)?, arg(1)? as usize, arg(2)? as usize)? as u32,
        nr::FILE_FRAMES => process.files.lock().file(int(0)?).map_or(-1, |file| vm::share::frames_of(file.inode().sector()) as i32) as u32,
        nr::PROCESS_LIST => {
            let (buffer, size) = (arg(0)? as usize, arg(1)? as usize);
            let processes = super::process_list();
            let fitting = processes.len().min(size / rintos_abi::ProcessInfo::SIZE);
            let records: Vec<u8> = processes[..fitting].iter().flat_map(|process| process.to_bytes()).collect();
            memory.write(buffer, &records)?;
            processes.len() as u32
        }
        _ => return Err(Exit(-1)),
    })
}

fn exec(process: &Process, memory: &UserMemory, command: usize) -> Result<i32> {
    let Some(command) = memory.read_string(command, MAX_STRING)? else { return Ok(-1) };
    Ok(match super::execute(&command) {
        Some((pid, record)) => {
            process.children.lock().push((pid, record));
            pid as i32
        }
        None => -1,
    })
}

fn open(process: &Process, memory: &UserMemory, name: usize) -> Result<i32> {
    let Some(name) = memory.read_string(name, MAX_STRING)? else { return Ok(-1) };
    let handle = match name.as_str() {
        "." | "/" => Handle::Directory { next: 0 },
        _ => match fs::open(&name) {
            Ok(file) => Handle::File(file),
            Err(_) => return Ok(-1),
        },
    };
    Ok(process.files.lock().insert(handle).unwrap_or(-1))
}

fn read(process: &Process, memory: &UserMemory, fd: i32, buffer: usize, length: usize) -> Result<i32> {
    if length == 0 {
        return Ok(0);
    }
    memory.check(buffer, length, true)?;
    if fd == rintos_abi::STDIN_FILENO {
        return in_chunks(length, PAGE_SIZE, |done, bytes| {
            input::read(bytes);
            memory.write(buffer + done, bytes)?;
            Ok(Some(bytes.len()))
        });
    }
    in_chunks(length, PAGE_SIZE, |done, bytes| {
        let Some(count) = process.files.lock().file(fd).and_then(|file| count_of(done, file.read(bytes))) else { return Ok(None) };
        memory.write(buffer + done, &bytes[..count])?;
        Ok(Some(count))
    })
}

fn write(process: &Process, memory: &UserMemory, fd: i32, buffer: usize, length: usize) -> Result<i32> {
    if length == 0 {
        return Ok(0);
    }
    memory.check(buffer, length, false)?;
    if fd == rintos_abi::STDOUT_FILENO {
        return in_chunks(length, CONSOLE_CHUNK, |done, bytes| {
            memory.read(buffer + done, bytes)?;
            console::write_bytes(bytes);
            Ok(Some(bytes.len()))
        });
    }
    in_chunks(length, PAGE_SIZE, |done, bytes| {
        memory.read(buffer + done, bytes)?;
        Ok(process.files.lock().file(fd).and_then(|file| count_of(done, file.write(bytes))))
    })
}

/// The bytes one chunk of a file transfer moved: what the disk moved before it failed ends
/// the call with a short count, or with -1 (`None`) if the call moved nothing at all.
fn count_of(done: usize, result: core::result::Result<usize, fs::DiskFailure>) -> Option<usize> {
    match result {
        Ok(count) => Some(count),
        Err(failure) if done + failure.moved == 0 => None,
        Err(failure) => Some(failure.moved),
    }
}

/// Moves `length` bytes between user memory and a file or device through a kernel buffer of
/// at most `chunk_size` bytes, so that no user page is touched while a file or device is
/// busy. `move_chunk(done, buffer)` moves one chunk and says how many bytes it moved (`None`:
/// not an open file, or the disk failed before any byte moved; the call returns -1); a short
/// chunk (end of file, a disk failure) ends the transfer.
fn in_chunks(length: usize, chunk_size: usize, mut move_chunk: impl FnMut(usize, &mut [u8]) -> Result<Option<usize>>) -> Result<i32> {
    let mut bytes = vec![0u8; length.min(chunk_size)];
    let mut done = 0;
    while done < length {
        let chunk = (length - done).min(bytes.len());
        let Some(moved) = move_chunk(done, &mut bytes[..chunk])? else { return Ok(-1) };
        done += moved;
        if moved < chunk {
            break;
        }
    }
    Ok(done as i32)
}

fn mmap(process: &Process, fd: i32, address: usize) -> i32 {
    let Some(file) = process.files.lock().file(fd).map(|file| file.reopen()) else { return rintos_abi::MAP_FAILED };
    let mut table = process.mappings.lock();
    let id = table.next_id;
    match vm::mmap::map(&process.space, id, file, address) {
        Ok(mapping) => {
            table.next_id += 1;
            table.mappings.push(mapping);
            id
        }
        Err(_) => rintos_abi::MAP_FAILED,
    }
}

fn munmap(process: &Process, id: i32) {
    let mapping = {
        let mut table = process.mappings.lock();
        let Some(index) = table.mappings.iter().position(|mapping| mapping.id == id) else { return };
        table.mappings.swap_remove(index)
    };
    task::block_on(vm::mmap::unmap(&process.space, mapping));
}

fn readdir(process: &Process, memory: &UserMemory, fd: i32, name: usize) -> Result<bool> {
    let next_name = {
        let mut files = process.files.lock();
        let Some(Handle::Directory { next }) = files.get(fd) else { return Ok(false) };
        let entry = fs::list().into_iter().nth(*next);
        *next += 1;
        entry.map(|(name, _)| name)
    };
    let Some(entry) = next_name else { return Ok(false) };
    let mut bytes = [0u8; rintos_abi::NAME_MAX + 1];
    let len = entry.len().min(rintos_abi::NAME_MAX);
    bytes[..len].copy_from_slice(&entry.as_bytes()[..len]);
    memory.write(name, &bytes[..=len])?;
    Ok(true)
}
