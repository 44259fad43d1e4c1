//! Eight processes of one executable with a large text segment (big-text) run at once. Once
//! each has read its whole text, the kernel must hold every text page in exactly one frame:
//! `file_frames` counts one frame per text page, and the frames in use grew by less than two
//! copies of the text (eight copies without sharing). Each process must then compute the
//! digest of the text as it is in the file.
//!
//! With `-share=off` the same program reports what it finds instead: no shared frames, and
//! at least eight copies of the text (given memory enough for them, `--mem=16`).
#![no_std]
#![no_main]

use rintos_user::cstr::StrBuf;
use rintos_user::syscall::{Pid, exec, open};
use rintos_user::{check, fail, msg};
use rintos_vm_extra::board::Board;
use rintos_vm_extra::kernel::{file_frames, vm_stats};
use rintos_vm_extra::text::TextSegment;

rintos_user::test_main!(test_main);

const PROCESSES: u32 = 8;

fn test_main() {
    let ready = Board::create(c"ready", PROCESSES);
    let go = Board::create(c"go", 1);
    check!(let fd = open(c"big-text") => fd > 1, "open \"big-text\"");
    let text = TextSegment::of_file(fd);
    let text_pages = text.pages() as u64;

    let before = vm_stats();
    let mut children: [Pid; PROCESSES as usize] = [0; PROCESSES as usize];
    for (seed, child) in children.iter_mut().enumerate() {
        let command = StrBuf::<32>::format(format_args!("big-text {seed} 0"));
        check!(let pid = exec(command.as_cstr()) => pid != -1, "exec \"{}\"", command);
        *child = pid;
    }
    ready.wait_for_all(PROCESSES);
    let frames_of_text = file_frames(fd) as u64;
    let growth = vm_stats().frames_in_use - before.frames_in_use;
    msg!("{} processes of big-text have read their text", PROCESSES);

    if frames_of_text == text_pages {
        msg!("frames holding big-text's text: one per text page");
    } else if frames_of_text == 0 {
        msg!("frames holding big-text's text: none");
    } else {
        fail!(
            "{} frames hold big-text's {} text pages",
            frames_of_text,
            text_pages
        );
    }
    if growth < 2 * text_pages {
        msg!("frames in use grew by less than two copies of the text");
    } else if growth >= u64::from(PROCESSES) * text_pages {
        msg!(
            "frames in use grew by at least {} copies of the text",
            PROCESSES
        );
    } else {
        fail!(
            "frames in use grew by {} for {} text pages",
            growth,
            text_pages
        );
    }

    go.raise(0);
    text.check_children_then_no_frames(fd, &children);
}
