//! `rintos-disk`: makes Rintos disk images and reads and writes the files of their file
//! system from the host, without booting the kernel.
//!
//! An IMAGE is either a whole disk with an MBR (its first file-system partition is used) or
//! a bare file-system partition (as `--filesys=FILE` takes).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use rintos::disk::{
    Contents, FileDisk, FilesysImage, FilesysLocation, PartitionSpec, create_disk, mb_to_sectors,
};
use rintos_fs::mbr::{self, PartitionTable};

#[derive(Parser)]
#[command(about = "Make Rintos disk images and move files in and out of their file system")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a disk with a formatted file-system partition (and optionally scratch and swap).
    Create {
        image: PathBuf,
        #[arg(long, default_value_t = 2.0, value_name = "MB")]
        filesys_size: f64,
        #[arg(long, value_name = "MB")]
        scratch_size: Option<f64>,
        #[arg(long, value_name = "MB")]
        swap_size: Option<f64>,
    },
    /// Erase the file system, leaving it empty.
    Format { image: PathBuf },
    /// List the partitions and the files.
    Ls { image: PathBuf },
    /// Copy a host file into the file system.
    Put {
        image: PathBuf,
        host_file: PathBuf,
        /// Name in the guest (default: the host file's name).
        #[arg(short = 'a', long = "as")]
        name: Option<String>,
        /// Replace a file of the same name.
        #[arg(short, long)]
        force: bool,
    },
    /// Copy a file out of the file system.
    Get {
        image: PathBuf,
        name: String,
        /// Host path to write (default: the guest name, in the current directory).
        #[arg(short = 'a', long = "as")]
        host_file: Option<PathBuf>,
    },
    /// Delete a file from the file system.
    Rm { image: PathBuf, name: String },
}

fn main() -> ExitCode {
    match execute(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("rintos-disk: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn execute(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Create {
            image,
            filesys_size,
            scratch_size,
            swap_size,
        } => {
            let mut partitions = vec![spec(mbr::kind::FILESYS, filesys_size)?];
            if let Some(size) = scratch_size {
                partitions.push(spec(mbr::kind::SCRATCH, size)?);
            }
            if let Some(size) = swap_size {
                partitions.push(spec(mbr::kind::SWAP, size)?);
            }
            create_disk(&image, &partitions)?;
            FilesysImage::format(&image)?;
            list(&image)
        }
        Command::Format { image } => {
            FilesysImage::format(&image)?;
            Ok(())
        }
        Command::Ls { image } => list(&image),
        Command::Put {
            image,
            host_file,
            name,
            force,
        } => {
            let data = std::fs::read(&host_file)
                .with_context(|| format!("{}: read", host_file.display()))?;
            let name = match name {
                Some(name) => name,
                None => host_file
                    .file_name()
                    .context("the host path names no file")?
                    .to_string_lossy()
                    .into_owned(),
            };
            FilesysImage::open(&image)?.put(&name, &data, force)
        }
        Command::Get {
            image,
            name,
            host_file,
        } => {
            let data = FilesysImage::open(&image)?.get(&name)?;
            let host_file = host_file.unwrap_or_else(|| PathBuf::from(&name));
            std::fs::write(&host_file, data)
                .with_context(|| format!("{}: write", host_file.display()))
        }
        Command::Rm { image, name } => FilesysImage::open(&image)?.remove(&name),
    }
}

fn spec(kind: u8, megabytes: f64) -> anyhow::Result<PartitionSpec> {
    Ok(PartitionSpec {
        kind,
        contents: Contents::Empty {
            sectors: mb_to_sectors(megabytes)?,
        },
    })
}

fn list(image: &Path) -> anyhow::Result<()> {
    let filesys = FilesysImage::open(image)?;
    if let FilesysLocation::Partition { .. } = filesys.location() {
        let table = PartitionTable::read(&FileDisk::open(image)?)?;
        for (index, entry) in table.entries.iter().enumerate() {
            if let Some(entry) = entry {
                println!(
                    "partition {}: {} sectors from sector {}, {} ({:#04x})",
                    index + 1,
                    entry.sector_count,
                    entry.start,
                    mbr::describe(entry.kind),
                    entry.kind
                );
            }
        }
    }
    let files = filesys.list();
    println!(
        "{} files, {} bytes free:",
        files.len(),
        filesys.free_bytes()
    );
    for (name, size) in files {
        println!("{size:>10}  {name}");
    }
    Ok(())
}
