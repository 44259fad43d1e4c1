//! Running QEMU: its command line (docs/testing.md, "The machine"), and supervising a run:
//! streaming the serial output while scanning it, symbolizing call stacks, enforcing the timeout and
//! `--kill-on-failure`, and classifying how the machine stopped.

use std::io::{IsTerminal, Read};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::Context;

use super::symbols::{Symbolizer, call_stack_addresses};

/// What QEMU is asked to emulate.
#[derive(Debug, Clone)]
pub struct Machine {
    pub kernel: PathBuf,
    pub symbols: PathBuf,
    /// The kernel command line, already joined and quoted.
    pub command_line: String,
    pub memory_mb: u32,
    /// Virtual CPUs: more than one run on host threads of their own (multi-threaded TCG).
    pub cpus: u32,
    /// Whole disks, attached as hda, hdb, hdc, hdd in this order.
    pub disks: Vec<PathBuf>,
    /// Show a VGA window (otherwise `-display none`).
    pub display: bool,
    /// Wait for gdb on this TCP port of the loopback interface before starting.
    pub gdb: Option<u16>,
    pub kvm: bool,
    /// QEMU block throttling of every disk, in requests per second.
    pub throttle_iops: Option<u32>,
    /// QEMU `-icount shift=...`.
    pub icount: Option<String>,
}

/// The `isa-debug-exit` status of a clean power-off: the kernel writes 0x31, QEMU exits
/// with (0x31 << 1) | 1.
pub const POWER_OFF_STATUS: i32 = 99;
/// The status after a kernel panic or fatal kernel error.
pub const PANIC_STATUS: i32 = 3;
/// How long `--kill-on-failure` lets the machine go on after a failure line, so that the
/// rest of a panic report (the call stack) still appears.
const KILL_GRACE: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(100);

pub const QEMU: &str = "qemu-system-i386";
/// Where QEMU waits for gdb: the loopback interface only, as nothing else should attach.
pub const GDB_HOST: &str = "127.0.0.1";

/// QEMU's arguments for `machine`.
pub fn qemu_args(machine: &Machine) -> Vec<String> {
    let accelerator = match (machine.kvm, machine.cpus) {
        (true, _) => "kvm",
        (false, 1) => "tcg",
        (false, _) => "tcg,thread=multi",
    };
    let mut args: Vec<String> = Vec::new();
    if machine.cpus > 1 {
        args.extend(["-smp".into(), machine.cpus.to_string()]);
    }
    args.extend([
        "-accel".into(),
        accelerator.into(),
        "-m".into(),
        machine.memory_mb.to_string(),
        "-kernel".into(),
        machine.kernel.display().to_string(),
        "-append".into(),
        machine.command_line.clone(),
        "-initrd".into(),
        escape_commas(&machine.symbols),
        "-device".into(),
        "isa-debug-exit,iobase=0xf4,iosize=0x04".into(),
        "-no-reboot".into(),
        "-serial".into(),
        "stdio".into(),
    ]);
    if !machine.display {
        args.extend(["-display".into(), "none".into()]);
    }
    args.extend([
        "-monitor".into(),
        "none".into(),
        "-net".into(),
        "none".into(),
    ]);
    for (index, disk) in machine.disks.iter().enumerate() {
        args.push("-drive".into());
        let mut drive = format!(
            "file={},format=raw,if=ide,index={index},media=disk",
            escape_commas(disk)
        );
        if let Some(iops) = machine.throttle_iops {
            drive.push_str(&format!(",throttling.iops-total={iops}"));
        }
        args.push(drive);
    }
    if let Some(shift) = &machine.icount {
        args.extend(["-icount".into(), icount_value(shift, machine.throttle_iops.is_some())]);
    }
    if let Some(port) = machine.gdb {
        args.extend(["-gdb".into(), format!("tcp:{GDB_HOST}:{port}"), "-S".into()]);
    }
    args
}

/// The value of `-icount`. A throttled disk paces its requests by the host's clock, while
/// the guest's clock counts instructions and runs several times faster than the host's
/// whenever the guest computes: the guest would see a disk several times slower than
/// asked, and slower the more it computes. `align=on` keeps the guest's clock from running
/// ahead of the host's (QEMU sleeps when it is ahead), so that both count the same
/// seconds. QEMU refuses `align` with `shift=auto`.
fn icount_value(shift: &str, throttled: bool) -> String {
    if throttled && shift != "auto" {
        format!("shift={shift},align=on")
    } else {
        format!("shift={shift}")
    }
}

/// QEMU option values separate fields with commas; a literal comma is doubled.
fn escape_commas(path: &Path) -> String {
    path.display().to_string().replace(',', ",,")
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The kernel powered the machine off (QEMU status 99).
    PowerOff,
    /// The kernel panicked (QEMU status 3).
    Panic,
    /// QEMU exited with another status.
    Status(i32),
    /// QEMU was killed by a signal from outside.
    Signal(i32),
    /// The timeout killed QEMU.
    TimedOut,
    /// `--kill-on-failure` killed QEMU for this cause.
    Killed(&'static str),
}

impl Ending {
    fn of(status: ExitStatus) -> Ending {
        match (status.code(), status.signal()) {
            (Some(POWER_OFF_STATUS), _) => Ending::PowerOff,
            (Some(PANIC_STATUS), _) => Ending::Panic,
            (Some(code), _) => Ending::Status(code),
            (None, signal) => Ending::Signal(signal.unwrap_or(0)),
        }
    }
}

/// How a run is watched.
pub struct Supervision<'a> {
    pub timeout_secs: Option<u64>,
    pub kill_on_failure: bool,
    /// The user types to the guest: QEMU inherits stdin and stderr.
    pub interactive: bool,
    pub symbolizer: Option<&'a Symbolizer>,
}

/// Runs `program` (QEMU) to the end, passing everything it prints to `emit` (plus the
/// runner's own symbolized call-stack lines and timeout/kill reports). Returns how it ended
/// and, when not interactive, what it wrote to stderr.
pub fn run(
    program: &str,
    args: &[String],
    supervision: &Supervision,
    emit: &mut dyn FnMut(&[u8]),
) -> anyhow::Result<(Ending, String)> {
    let _terminal = supervision.interactive.then(TerminalState::save).flatten();
    let mut command = Command::new(program);
    command.args(args).stdout(Stdio::piped());
    if supervision.interactive {
        command.stdin(Stdio::inherit()).stderr(Stdio::inherit());
    } else {
        command.stdin(Stdio::null()).stderr(Stdio::piped());
    }
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {QEMU}"))?;
    let chunks = spawn_reader(child.stdout.take().expect("stdout is piped"));
    let stderr = child.stderr.take().map(|mut stderr| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        })
    });

    let mut monitor = OutputMonitor::new(supervision.symbolizer);
    let started = Instant::now();
    let wall_limit = supervision
        .timeout_secs
        .map(|secs| Duration::from_secs_f64(secs as f64 * load_average().max(1.0) + 1.0));
    let mut kill_at = None;
    let ending = loop {
        match chunks.recv_timeout(POLL) {
            Ok(chunk) => monitor.feed(&chunk, emit),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break Ending::of(child.wait()?),
        }
        if let (true, Some(_), None) = (supervision.kill_on_failure, monitor.failure, kill_at) {
            kill_at = Some(Instant::now() + KILL_GRACE);
        }
        let report = if let (Some(deadline), Some(cause)) = (kill_at, monitor.failure)
            && Instant::now() >= deadline
        {
            Some((
                Ending::Killed(cause),
                format!("Simulation terminated due to {cause}."),
            ))
        } else if let Some(secs) = supervision.timeout_secs
            && cpu_seconds(&child).is_some_and(|used| used >= secs as f64)
        {
            Some((
                Ending::TimedOut,
                format!("TIMEOUT after {secs} seconds of host CPU time"),
            ))
        } else if let (Some(secs), Some(limit)) = (supervision.timeout_secs, wall_limit)
            && started.elapsed() >= limit
        {
            Some((
                Ending::TimedOut,
                format!(
                    "TIMEOUT after {secs} seconds of wall-clock time - load average: {:.2}",
                    load_average()
                ),
            ))
        } else {
            None
        };
        if let Some((ending, message)) = report {
            let _ = child.kill();
            child.wait()?;
            for chunk in chunks.iter() {
                monitor.feed(&chunk, emit);
            }
            monitor.finish_line(emit);
            emit(format!("{message}\n").as_bytes());
            break ending;
        }
    };
    let stderr = stderr
        .map(|thread| thread.join().unwrap_or_default())
        .unwrap_or_default();
    Ok((ending, stderr))
}

/// Reads the child's stdout on a thread, so the supervisor can wait with a timeout.
fn spawn_reader(mut stdout: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0; 4096];
        while let Ok(len @ 1..) = stdout.read(&mut buf) {
            if sender.send(buf[..len].to_vec()).is_err() {
                break;
            }
        }
    });
    receiver
}

/// Scans output line by line for the classic failure keywords and call stacks.
pub struct OutputMonitor<'a> {
    line: Vec<u8>,
    boots: usize,
    /// The first failure seen, in the classic script's words.
    pub failure: Option<&'static str>,
    symbolizer: Option<&'a Symbolizer>,
}

impl<'a> OutputMonitor<'a> {
    pub fn new(symbolizer: Option<&'a Symbolizer>) -> Self {
        OutputMonitor {
            line: Vec::new(),
            boots: 0,
            failure: None,
            symbolizer,
        }
    }

    /// Passes `chunk` on to `emit`, inserting the symbolized frames after each complete
    /// `Call stack:` line.
    pub fn feed(&mut self, chunk: &[u8], emit: &mut dyn FnMut(&[u8])) {
        for piece in chunk.split_inclusive(|&byte| byte == b'\n') {
            emit(piece);
            self.line.extend_from_slice(piece);
            if self.line.ends_with(b"\n") {
                let line = String::from_utf8_lossy(&self.line).into_owned();
                self.line.clear();
                self.scan(&line, emit);
            }
        }
    }

    /// Ends an unfinished last line, so a report printed after it starts on a line of its own.
    pub fn finish_line(&mut self, emit: &mut dyn FnMut(&[u8])) {
        if !self.line.is_empty() {
            self.line.clear();
            emit(b"\n");
        }
    }

    fn scan(&mut self, line: &str, emit: &mut dyn FnMut(&[u8])) {
        if line.contains("Pintos booting") {
            self.boots += 1;
        }
        let cause = if line.contains("Kernel PANIC") {
            Some("kernel panic")
        } else if line.contains("User process ABORT") {
            Some("user process abort")
        } else if line.contains("Pintos booting") && self.boots > 1 {
            Some("triple fault")
        } else if line.contains("FAILED") {
            Some("test failure")
        } else {
            None
        };
        self.failure = self.failure.or(cause);
        if let (Some(symbolizer), Some(addresses)) = (self.symbolizer, call_stack_addresses(line)) {
            for address in addresses {
                emit(format!("{}\n", symbolizer.describe(address)).as_bytes());
            }
        }
    }
}

/// User + system CPU seconds of the running child, from `/proc` (Linux; `None` elsewhere).
fn cpu_seconds(child: &Child) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", child.id())).ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of
    // the whole line, in clock ticks of 1/100 s (Linux's USER_HZ).
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// The one-minute load average (1.0 where unknown), which stretches the wall-clock limit on
/// a busy machine like the classic script does.
fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(1.0)
}

/// The terminal settings QEMU changes (it turns off echo and does not restore them when
/// killed), restored on drop.
struct TerminalState(String);

impl TerminalState {
    fn save() -> Option<TerminalState> {
        if !std::io::stdin().is_terminal() {
            return None;
        }
        let output = Command::new("stty")
            .arg("-g")
            .stdin(Stdio::inherit())
            .output()
            .ok()?;
        output
            .status
            .success()
            .then(|| TerminalState(String::from_utf8_lossy(&output.stdout).trim().to_string()))
    }
}

impl Drop for TerminalState {
    fn drop(&mut self) {
        let _ = Command::new("stty")
            .arg(&self.0)
            .stdin(Stdio::inherit())
            .status();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine() -> Machine {
        Machine {
            kernel: "/k/kernel".into(),
            symbols: "/k/kernel.sym".into(),
            command_line: "-q run 'args-single onearg'".into(),
            memory_mb: 4,
            cpus: 1,
            disks: vec!["/t/hda.dsk".into(), "/t/odd,name.dsk".into()],
            display: false,
            gdb: None,
            kvm: false,
            throttle_iops: None,
            icount: None,
        }
    }

    #[test]
    fn the_command_line_follows_the_interface() {
        let expected = "-accel tcg -m 4 -kernel /k/kernel -append '-q run '\\''args-single onearg'\\''' \
            -initrd /k/kernel.sym -device isa-debug-exit,iobase=0xf4,iosize=0x04 -no-reboot -serial stdio \
            -display none -monitor none -net none \
            -drive file=/t/hda.dsk,format=raw,if=ide,index=0,media=disk \
            -drive file=/t/odd,,name.dsk,format=raw,if=ide,index=1,media=disk";
        assert_eq!(crate::quote::join(qemu_args(&machine())), expected);
    }

    #[test]
    fn several_cpus_run_on_host_threads() {
        let mut machine = machine();
        machine.cpus = 2;
        let args = crate::quote::join(qemu_args(&machine));
        assert!(
            args.starts_with("-smp 2 -accel tcg,thread=multi -m 4 "),
            "{args}"
        );
        machine.kvm = true;
        let args = crate::quote::join(qemu_args(&machine));
        assert!(args.starts_with("-smp 2 -accel kvm -m 4 "), "{args}");
    }

    #[test]
    fn options_change_the_command_line() {
        let mut machine = machine();
        machine.gdb = Some(5000);
        machine.kvm = true;
        machine.display = true;
        machine.throttle_iops = Some(800);
        machine.icount = Some("auto".into());
        machine.disks.truncate(1);
        let args = qemu_args(&machine);
        assert!(
            args.contains(
                &"file=/t/hda.dsk,format=raw,if=ide,index=0,media=disk,throttling.iops-total=800"
                    .into()
            )
        );
        assert!(
            args.windows(2)
                .any(|pair| pair == ["-icount", "shift=auto"])
        );
        machine.icount = Some("4".into());
        assert!(
            qemu_args(&machine)
                .windows(2)
                .any(|pair| pair == ["-icount", "shift=4,align=on"])
        );
        machine.throttle_iops = None;
        assert!(
            qemu_args(&machine)
                .windows(2)
                .any(|pair| pair == ["-icount", "shift=4"])
        );
        machine.disks.clear();
        let args = qemu_args(&machine);
        assert_eq!(&args[..2], ["-accel", "kvm"]);
        assert!(args.ends_with(&["-gdb".into(), "tcp:127.0.0.1:5000".into(), "-S".into()]));
        assert!(!args.contains(&"-display".into()));
        assert!(!args.contains(&"-drive".into()));
    }

    fn scan(text: &str) -> (Option<&'static str>, String) {
        let mut monitor = OutputMonitor::new(None);
        let mut out = Vec::new();
        // Fed in awkward pieces, as a pipe may deliver it.
        for piece in text.as_bytes().chunks(3) {
            monitor.feed(piece, &mut |bytes| out.extend_from_slice(bytes));
        }
        monitor.finish_line(&mut |bytes| out.extend_from_slice(bytes));
        (monitor.failure, String::from_utf8(out).unwrap())
    }

    #[test]
    fn failures_are_recognised_as_the_classic_script_does() {
        assert_eq!(scan("Pintos booting\nBoot complete.\n").0, None);
        assert_eq!(
            scan("Kernel PANIC at x.rs:1 in f(): oops\nCall stack: 0x1 .\n").0,
            Some("kernel panic")
        );
        assert_eq!(
            scan("User process ABORT at x\n").0,
            Some("user process abort")
        );
        assert_eq!(
            scan("Pintos booting\nPintos booting\n").0,
            Some("triple fault")
        );
        assert_eq!(
            scan("(test) open: FAILED\nKernel PANIC\n").0,
            Some("test failure")
        );
        // Only complete lines count.
        assert_eq!(scan("(test) no newline FAILED").0, None);
    }

    #[test]
    fn output_passes_through_unchanged_and_unfinished_lines_are_ended() {
        assert_eq!(scan("a\nbc\n\nd").1, "a\nbc\n\nd\n");
        assert_eq!(scan("a\n").1, "a\n");
    }

    /// Supervises `sh -c script` as if it were QEMU.
    fn supervise(
        script: &str,
        timeout_secs: Option<u64>,
        kill_on_failure: bool,
    ) -> (Ending, String, Duration) {
        let supervision = Supervision {
            timeout_secs,
            kill_on_failure,
            interactive: false,
            symbolizer: None,
        };
        let mut output = Vec::new();
        let started = Instant::now();
        let (ending, _) = run(
            "sh",
            &["-c".into(), script.into()],
            &supervision,
            &mut |bytes| output.extend_from_slice(bytes),
        )
        .unwrap();
        (
            ending,
            String::from_utf8(output).unwrap(),
            started.elapsed(),
        )
    }

    #[test]
    fn a_clean_power_off_is_recognised() {
        let (ending, output, _) = supervise("echo Powering off...; exit 99", Some(10), true);
        assert_eq!(ending, Ending::PowerOff);
        assert_eq!(output, "Powering off...\n");
    }

    #[test]
    fn kill_on_failure_waits_a_little_then_kills() {
        let (ending, output, elapsed) = supervise(
            "echo '(t) x: FAILED'; echo more; exec sleep 30",
            Some(60),
            true,
        );
        assert_eq!(ending, Ending::Killed("test failure"));
        assert_eq!(
            output,
            "(t) x: FAILED\nmore\nSimulation terminated due to test failure.\n"
        );
        assert!(
            elapsed >= KILL_GRACE && elapsed < KILL_GRACE + Duration::from_secs(5),
            "{elapsed:?}"
        );
        // Without -k the same failure is left alone.
        let (ending, ..) = supervise("echo FAILED; exit 99", None, false);
        assert_eq!(ending, Ending::PowerOff);
    }

    #[test]
    fn the_timeout_counts_cpu_time() {
        let (ending, output, elapsed) =
            supervise("printf 'partial'; while :; do :; done", Some(1), false);
        assert_eq!(ending, Ending::TimedOut);
        assert_eq!(
            output,
            "partial\nTIMEOUT after 1 seconds of host CPU time\n"
        );
        assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    }

    #[test]
    fn the_timeout_counts_wall_clock_time_of_an_idle_machine() {
        let (ending, output, _) = supervise("exec sleep 30", Some(1), false);
        assert_eq!(ending, Ending::TimedOut);
        assert!(
            output.starts_with("TIMEOUT after 1 seconds of wall-clock time"),
            "{output}"
        );
    }

    #[test]
    fn exit_statuses_are_classified() {
        assert_eq!(Ending::of(ExitStatus::from_raw(99 << 8)), Ending::PowerOff);
        assert_eq!(Ending::of(ExitStatus::from_raw(3 << 8)), Ending::Panic);
        assert_eq!(Ending::of(ExitStatus::from_raw(1 << 8)), Ending::Status(1));
        assert_eq!(Ending::of(ExitStatus::from_raw(9)), Ending::Signal(9));
    }
}
