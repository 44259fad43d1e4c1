//! Sorts 1 MiB of ARC4 noise in 8 chunks of 128 KiB by child-qsort-mm processes
//! (quicksort in a mapped file), all running at once, then merges the chunks and
//! verifies them.
#![no_std]
#![no_main]

rintos_user::test_main!(test_main);

fn test_main() {
    rintos_user::common::merge::parallel_merge("child-qsort-mm", 80);
}
