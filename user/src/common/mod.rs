//! Test bodies shared by several programs: what the classic suite keeps in `.inc` files and
//! helper sources (`tests/filesys/seq-test.c`, `tests/vm/parallel-merge.c`,
//! `tests/vm/qsort.c`, `tests/userprog/rox-child.inc`).
pub mod filesys;
pub mod merge;
pub mod qsort;
pub mod rox;
