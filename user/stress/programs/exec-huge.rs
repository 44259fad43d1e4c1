//! An executable whose bss reaches up to the kernel (3 GB of zeros) must be refused: its
//! pages cost nothing until touched, but their records would have used up the kernel heap
//! and stopped the kernel. The same file with an ordinary bss still runs afterwards.
#![no_std]
#![no_main]

use rintos_elfmut::{EXIT_STATUS, MAX_IMAGE, Mutation, Shape, USER_TOP, apply, build};
use rintos_user::syscall::{close, create, exec, open, remove, wait, write};
use rintos_user::{ProcessGlobal, check};

rintos_user::test_main!(test_main);

static IMAGE: ProcessGlobal<[u8; MAX_IMAGE]> = ProcessGlobal::new([0; MAX_IMAGE]);

/// Writes `image` to the file `name`.
fn put(name: &core::ffi::CStr, image: &[u8]) {
    remove(name);
    check!(create(name, image.len() as u32), "create {:?}", name);
    let fd = open(name);
    check!(
        fd > 1 && write(fd, image) == image.len() as i32,
        "write {:?}",
        name
    );
    close(fd);
}

fn test_main() {
    let mut image = IMAGE.borrow_mut();
    let len = build(Shape::TextData, &mut image[..]);
    put(c"intact", &image[..len]);
    // The data segment starts on the second page; its zeros now end at PHYS_BASE.
    let huge = Mutation::HugeMemsz {
        index: 1,
        memsz: USER_TOP - 0x0804_9000,
    };
    let len = apply(huge, &mut image[..], len);
    put(c"huge-bss", &image[..len]);
    check!(exec(c"huge-bss") == -1, "exec \"huge-bss\" is refused");
    // The status is in hand before the verdict is printed, so the child's exit line always
    // comes first.
    let pid = exec(c"intact");
    let status = if pid > 0 { wait(pid) } else { pid };
    check!(status == EXIT_STATUS, "exec \"intact\" still runs");
}
