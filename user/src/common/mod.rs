//! Test bodies shared by several programs: what the classic suite keeps in `.inc` files and
//! helper sources (`src/tests/filesys/seq-test.c`, `src/tests/vm/parallel-merge.c`,
//! `src/tests/vm/qsort.c`, `src/tests/userprog/rox-child.inc`).
pub mod filesys;
pub mod merge;
pub mod qsort;
pub mod rox;
