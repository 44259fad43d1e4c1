//! Disk images for QEMU, built and read on the host with the same formats the kernel uses
//! (`rintos-fs`): whole disks with an MBR partition table, the scratch partition's ustar
//! archive for `-p`/`-g` files, and direct access to a file-system partition.

mod file_disk;
mod filesys;
mod image;

pub use file_disk::FileDisk;
pub use filesys::{FilesysImage, FilesysLocation};
pub use image::{
    CYLINDER_SECTORS, Contents, PartitionSpec, SECTORS_PER_MB, create_blank_disk, create_disk,
    mb_to_sectors, read_archive_files, scratch_sectors_for, write_archive,
};
