//! A real program for `exec-mutants` to corrupt: it only exits, with the status the built
//! executables of `rintos-elfmut` exit with, and prints nothing.
#![no_std]
#![no_main]

rintos_user::entry!(main);

fn main(_: rintos_user::entry::Args) -> i32 {
    rintos_elfmut::EXIT_STATUS
}
