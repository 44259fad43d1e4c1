//! A minimal interactive shell: prints a `--` prompt, reads a line from the keyboard
//! (echoing it, with backspace and Ctrl-U), runs it with `exec` and waits for it. Prints the
//! exit status when it is not 0. `exit` leaves the shell.
#![no_std]
#![no_main]

use rintos_user::cstr::StrBuf;
use rintos_user::entry::Args;
use rintos_user::syscall::{PID_ERROR, STDIN_FILENO, exec, read, wait};
use rintos_user::{print, println};

rintos_user::entry!(main);

/// Room for a command line of 79 characters.
type Line = StrBuf<80>;

fn main(_args: Args) -> i32 {
    println!("Shell starting...");
    loop {
        print!("--");
        let Some(line) = read_line() else {
            // The keyboard is gone: nothing more will come.
            break;
        };
        let mut words = line
            .as_bytes()
            .split(|&byte| byte == b' ')
            .filter(|word| !word.is_empty());
        match words.next() {
            None => {}
            Some(b"exit") => break,
            Some(_) => run(&line),
        }
    }
    println!("Shell exiting.");
    0
}

fn run(command: &Line) {
    let pid = exec(command.as_cstr());
    if pid == PID_ERROR {
        println!("\"{}\": exec failed", command);
        return;
    }
    let status = wait(pid);
    if status != 0 {
        println!("\"{}\": exit code {}", command, status);
    }
}

/// Reads one line, echoing what is typed (the console does not echo by itself). Returns
/// `None` if the keyboard cannot be read.
fn read_line() -> Option<Line> {
    const BACKSPACE: u8 = 0x08;
    const DELETE: u8 = 0x7f;
    const CTRL_U: u8 = 0x15;

    let mut line = Line::new();
    loop {
        let mut key = [0u8];
        if read(STDIN_FILENO, &mut key) != 1 {
            return None;
        }
        match key[0] {
            b'\r' | b'\n' => {
                println!();
                return Some(line);
            }
            BACKSPACE | DELETE => erase(&mut line, 1),
            CTRL_U => erase(&mut line, usize::MAX),
            byte if (byte == b' ' || byte.is_ascii_graphic()) && !line.is_full() => {
                print!("{}", char::from(byte));
                line.push_bytes(&[byte]);
            }
            _ => {}
        }
    }
}

/// Takes back up to `count` typed characters (`usize::MAX`: all), on the screen too.
fn erase(line: &mut Line, count: usize) {
    for _ in 0..count.min(line.len()) {
        print!("\x08 \x08");
        line.truncate(line.len() - 1);
    }
}
