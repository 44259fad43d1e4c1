//! Lists the files of the directories named on the command line, or of `.`; with `-l`, also
//! their sizes. Needs a kernel whose `open` opens directories and which implements
//! `readdir` (system call 17).
#![no_std]
#![no_main]

use core::ffi::CStr;

use rintos_user::cstr::{StrBuf, show};
use rintos_user::entry::Args;
use rintos_user::println;
use rintos_user::syscall::{DirEntryName, close, filesize, open, readdir};

rintos_user::entry!(main);

fn main(args: Args) -> i32 {
    let long = args.get(1).is_some_and(|arg| arg == c"-l");
    let first_directory = if long { 2 } else { 1 };
    let mut listed_all = true;
    if args.len() <= first_directory {
        listed_all = list(c".", long);
    } else {
        for directory in args.iter().skip(first_directory) {
            listed_all &= list(directory, long);
        }
    }
    if listed_all { 0 } else { 1 }
}

/// Prints `directory:` and one line per entry; false if it cannot be opened.
fn list(directory: &CStr, long: bool) -> bool {
    let fd = open(directory);
    if fd < 0 {
        println!("{}: not found", show(directory));
        return false;
    }
    println!("{}:", show(directory));
    let mut entry: DirEntryName = [0; 15];
    while readdir(fd, &mut entry) {
        let name = CStr::from_bytes_until_nul(&entry).unwrap_or(c"?");
        if long {
            println!("{:>8}  {}", size_of_entry(directory, name), show(name));
        } else {
            println!("{}", show(name));
        }
    }
    close(fd);
    true
}

/// The size of `directory/name` in bytes, or -1 if it cannot be opened.
fn size_of_entry(directory: &CStr, name: &CStr) -> i32 {
    let path = if directory == c"." {
        StrBuf::<128>::format(format_args!("{}", show(name)))
    } else {
        StrBuf::<128>::format(format_args!("{}/{}", show(directory), show(name)))
    };
    let fd = open(path.as_cstr());
    if fd < 0 {
        return -1;
    }
    let size = filesize(fd);
    close(fd);
    size
}
