//! The file-system actions of the kernel command line: `ls`, `cat`, `rm`, `extract` and
//! `append` (Pintos' `fsutil.c`). The runner uses `extract` for `-p` and `append` for `-g`.

use rintos_fs::archive;
use rintos_fs::ustar::{ArchiveWriter, Member};

use super::{META, list, remove};
use crate::devices::block::{self, Role};
use crate::threads::Mutex;
use crate::println;

/// Where the next `append` writes on the scratch device.
static ARCHIVE: Mutex<ArchiveWriter> = Mutex::new("scratch archive", ArchiveWriter::new());

pub fn ls() {
    println!("Files in the root directory:");
    for (name, _) in list() {
        println!("{name}");
    }
    println!("End of listing.");
}

pub fn cat(name: &str) {
    println!("Printing '{name}' to the console...");
    let mut file = match super::open(name) {
        Ok(file) => file,
        Err(error) => return println!("cat: {name}: {error}"),
    };
    let mut buffer = [0u8; 512];
    loop {
        match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(count) => crate::console::write_bytes(&buffer[..count]),
            Err(failure) => {
                crate::console::write_bytes(&buffer[..failure.moved]);
                return println!("cat: {name}: the disk failed");
            }
        }
    }
}

pub fn rm(name: &str) {
    println!("Deleting '{name}'...");
    if let Err(error) = remove(name) {
        println!("rm: {name}: {error}");
    }
}

pub fn extract() {
    let Some(scratch) = block::by_role(Role::Scratch) else {
        return println!("extract: no scratch device");
    };
    println!("Extracting ustar archive from scratch device into file system...");
    let mut meta = META.lock();
    let Some(m) = meta.as_mut() else {
        return println!("extract: no file system");
    };
    let result = archive::extract(&mut m.fs, m.device, scratch, |member| match member {
        Member::File { name, .. } => println!("Putting '{name}' into the file system..."),
        Member::Directory { name } => println!("Skipping directory '{name}'..."),
    });
    match result {
        Ok(()) => println!("Erasing ustar archive..."),
        Err(error) => println!("extract: {error}"),
    }
}

pub fn append(name: &str) {
    let Some(scratch) = block::by_role(Role::Scratch) else {
        return println!("append: no scratch device");
    };
    println!("Appending '{name}' to ustar archive on scratch device...");
    let meta = META.lock();
    let Some(m) = meta.as_ref() else {
        return println!("append: no file system");
    };
    if let Err(error) = archive::append(&mut ARCHIVE.lock(), &m.fs, m.device, scratch, name) {
        println!("append: {error}");
    }
}
