//! `cargo test`: Rintos' gdb helpers (tools/gdb/rintos.py) on a real machine. The runner
//! boots page-linear on two CPUs under `--gdb`; gdb runs the command the runner prints, stops
//! in the page-fault path (`vm::resolve`) once the program has faulted a few pages in, and
//! runs every helper. The test checks what they print against each other and the kernel.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rintos::runner::{Language, Program};

/// How long the runner may take to start QEMU, and gdb to run every helper.
const PATIENCE: Duration = Duration::from_secs(120);
/// Faults to let pass first: by then the program's code page, stack and data are in.
const FAULTS_BEFORE_STOPPING: u32 = 10;
const CODE_PAGE: &str = "0x08048000";

/// The runner and its QEMU, in a process group of their own: if the test fails before gdb
/// has attached (and killed the machine), QEMU would wait for gdb forever.
struct Runner(Child);

impl Drop for Runner {
    fn drop(&mut self) {
        let _ = Command::new("sh")
            .args([
                "-c",
                &format!("kill -s KILL -- -{} 2>/dev/null", self.0.id()),
            ])
            .status();
        let _ = self.0.wait();
    }
}

#[test]
fn the_gdb_helpers_show_threads_frames_page_tables_and_fault_frames() {
    let root = rintos::runner::repo_root();
    // Also installs gdb where it is missing (rintos-setup).
    let artifacts = rintos::runner::guest_artifacts(&root).expect("the guest builds");
    let program = artifacts.resolve(&Program {
        language: Language::Rust,
        binary: "page-linear".into(),
    });
    // A port free now, not the default 1234: another run on this machine may be waiting for
    // gdb there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut runner = Runner(
        Command::new(env!("CARGO_BIN_EXE_rintos"))
            .args([
                &format!("--gdb={port}"),
                "--smp=2",
                "-v",
                "--filesys-size=2",
                "--swap-size=4",
            ])
            .arg(format!("--kernel={}", artifacts.kernel.display()))
            .arg("-p")
            .arg(&program)
            .args(["-a", "page-linear"])
            .args(["--", "-q", "-f", "run", "page-linear"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .expect("the runner starts"),
    );
    let attach = attach_command(&mut runner.0);

    let mut script = vec![
        "break kernel/src/vm/mod.rs:resolve".to_string(),
        format!("ignore 1 {FAULTS_BEFORE_STOPPING}"),
        "continue".to_string(),
    ];
    for command in [
        "rintos-threads",
        "rintos-frames",
        "rintos-pagetable",
        "rintos-backtrace",
        "rintos-backtrace 1",
    ] {
        script.push(format!("echo @@{command}\\n"));
        script.push(command.to_string());
    }
    script.push("kill".to_string());
    let output = run_gdb(&attach, &script);
    assert!(
        !output.contains("Python Exception") && !output.contains("Error occurred"),
        "{output}"
    );
    let section = |command: &str| {
        output
            .split(&format!("@@{command}\n"))
            .nth(1)
            .and_then(|rest| rest.split("@@").next())
            .unwrap_or_else(|| panic!("no output of {command}:\n{output}"))
    };

    let threads = section("rintos-threads");
    let thread = |name: &str| {
        threads
            .lines()
            .find(|line| line.split_whitespace().nth(1) == Some(name))
    };
    for name in ["main", "idle", "page-linear"] {
        assert!(thread(name).is_some(), "no thread {name}:\n{threads}");
    }
    assert!(
        thread("page-linear").unwrap().contains("running"),
        "{threads}"
    );
    for line in threads.lines().filter(|line| line.contains("blocked")) {
        // `tid name blocked 0xBOTTOM-0xTOP 0xSAVED`: a thread switched out saved its stack
        // pointer inside its own stack.
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (bottom, top) = fields[3].split_once('-').unwrap();
        let saved = number(fields[4]);
        assert!(number(bottom) < saved && saved < number(top), "{line}");
    }
    assert!(
        threads.contains("CPU 0: runs") && threads.contains("CPU 1: runs"),
        "{threads}"
    );

    // The frame table and the page table agree on where the code page is.
    let frames = section("rintos-frames");
    let code_frame = frames
        .lines()
        .find(|line| {
            line.contains("in use") && line.contains("page-linear(") && line.contains(CODE_PAGE)
        })
        .unwrap_or_else(|| panic!("no frame holds page-linear's code page:\n{frames}"));
    let physical = code_frame.split_whitespace().nth(1).unwrap();
    let pagetable = section("rintos-pagetable");
    assert!(pagetable.starts_with("process page-linear("), "{pagetable}");
    let code_mapping = pagetable
        .lines()
        .find(|line| line.starts_with(CODE_PAGE))
        .unwrap_or_else(|| panic!("the code page is not mapped:\n{pagetable}"));
    assert_eq!(
        code_mapping.split_whitespace().nth(1),
        Some(physical),
        "{pagetable}\n{frames}"
    );
    assert!(
        code_mapping.ends_with("-a-"),
        "code is read-only and was executed: {code_mapping}"
    );

    // The backtrace goes from the fault handler through the page fault to user mode.
    let backtrace = section("rintos-backtrace");
    assert!(
        backtrace.starts_with("#0  ") && backtrace.contains("kernel::vm::resolve"),
        "{backtrace}"
    );
    for expected in [
        "vector 0x0e",
        "from user mode",
        "eip 0x0804",
        "page fault: not present",
        "cr2 0x",
    ] {
        assert!(
            backtrace.contains(expected),
            "no `{expected}`:\n{backtrace}"
        );
    }
    // Thread 1, main, is switched out: its stack goes back to the kernel's entry.
    let main = section("rintos-backtrace 1");
    assert!(
        main.lines().filter(|line| line.starts_with('#')).count() >= 3,
        "{main}"
    );
    assert!(main.contains("kernel_entry"), "{main}");
}

/// Reads the runner's output (and QEMU's errors) up to the line that says how to attach, and
/// returns the command.
fn attach_command(runner: &mut Child) -> String {
    let (sender, lines) = mpsc::channel();
    let stdout: Box<dyn std::io::Read + Send> = Box::new(runner.stdout.take().unwrap());
    let stderr: Box<dyn std::io::Read + Send> = Box::new(runner.stderr.take().unwrap());
    for stream in [stdout, stderr] {
        let sender = sender.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
    }
    let deadline = Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    while let Ok(line) = lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        if let Some((_, command)) = line.split_once("In another terminal: ") {
            return command.to_string();
        }
        seen.push(line);
    }
    panic!("the runner printed no gdb command:\n{}", seen.join("\n"));
}

/// Runs `attach` (the runner's `gdb -x FILE`) in batch mode with `script`, and returns what
/// gdb printed.
fn run_gdb(attach: &str, script: &[String]) -> String {
    let mut args = vec!["-nx".to_string(), "-batch".to_string()];
    for command in script {
        args.extend(["-ex".to_string(), command.clone()]);
    }
    // `exec`: the shell becomes gdb, which the deadline below can then kill.
    let command = format!("exec {attach} {} 2>&1", rintos::quote::join(&args));
    let mut gdb = Command::new("sh")
        .args(["-c", &command])
        .stdout(Stdio::piped())
        .spawn()
        .expect("gdb starts");
    let mut stdout = gdb.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut text).map(|_| text)
    });
    let deadline = Instant::now() + PATIENCE;
    while gdb.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = gdb.kill();
            panic!("gdb did not finish in {PATIENCE:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().unwrap().unwrap()
}

fn number(hex: &str) -> u64 {
    u64::from_str_radix(hex.trim_start_matches("0x"), 16).unwrap()
}
