//! Prints the files named on the command line in hex.
#![no_std]
#![no_main]

use rintos_user::console::hex_dump;
use rintos_user::entry::Args;

rintos_user::entry!(main);

fn main(args: Args) -> i32 {
    args.read_named_files(|offset, bytes| hex_dump(offset, bytes, true))
}
