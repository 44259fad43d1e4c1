//! Reading what a benchmark run printed: the `bench ...` report lines of the guest programs
//! (see `user/bench/src/lib.rs`) and the kernel's power-off statistics.

use std::collections::BTreeMap;

use rintos_abi::latency::{FaultClass, Histogram};

/// One `bench WHAT key=value ... [| HISTOGRAM]` line.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportLine {
    pub what: String,
    pub fields: BTreeMap<String, String>,
    pub histogram: Option<Histogram>,
}

impl ReportLine {
    pub fn number(&self, key: &str) -> Option<u64> {
        self.fields.get(key)?.parse().ok()
    }

    pub fn text(&self, key: &str) -> &str {
        self.fields.get(key).map_or("", String::as_str)
    }
}

/// Every report line of `output`, in order. Lines that start like one but do not parse are
/// errors: they mean the guest and the harness disagree about the format.
pub fn report_lines(output: &str) -> anyhow::Result<Vec<ReportLine>> {
    output
        .lines()
        .filter_map(|line| line.trim_end().strip_prefix("bench "))
        .map(|line| {
            parse_report_line(line)
                .ok_or_else(|| anyhow::anyhow!("malformed report line: bench {line}"))
        })
        .collect()
}

fn parse_report_line(line: &str) -> Option<ReportLine> {
    // An empty histogram leaves a bare `|` at the end of the line.
    let (head, histogram) = match line.split_once(" |") {
        Some((head, histogram)) => (head, Some(Histogram::parse_compact(histogram)?)),
        None => (line, None),
    };
    let mut words = head.split_whitespace();
    let what = words.next()?.to_string();
    let fields = words
        .map(|word| {
            word.split_once('=')
                .map(|(key, value)| (key.to_string(), value.to_string()))
        })
        .collect::<Option<_>>()?;
    Some(ReportLine {
        what,
        fields,
        histogram,
    })
}

/// What the kernel printed at power-off.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KernelReport {
    pub ticks: u64,
    pub swap_ins: u64,
    pub swap_outs: u64,
    pub frames_peak: u64,
    pub swap_used_peak: u64,
    /// Sectors read from and written to the swap device (its own counters).
    pub swap_sectors_read: u64,
    pub swap_sectors_written: u64,
    pub swap_cache_hits: u64,
    /// Pages the pageout task wrote ahead of need (absent from kernels without it).
    pub clean_ahead_writes: u64,
    /// Faults that found their page read ahead, and pages read ahead for nothing (absent
    /// from kernels without read-ahead).
    pub read_ahead_hits: u64,
    pub read_ahead_wasted: u64,
    /// Faults that waited for their turn under load control (absent from kernels without it).
    pub load_control_waits: u64,
    pub evictions: u64,
    pub cpus_online: u64,
    /// TLB shootdown rounds, the CPUs they interrupted, and the senders' time waiting for
    /// the answers (the `VM CPUs:` line; absent from kernels without it).
    pub tlb_shootdowns: u64,
    pub tlb_shootdown_cpus: u64,
    pub tlb_shootdown_us: u64,
    pub histograms: BTreeMap<&'static str, Histogram>,
}

impl KernelReport {
    pub fn parse(output: &str) -> anyhow::Result<KernelReport> {
        let mut report = KernelReport::default();
        let mut seen_timer = false;
        let number = |text: &str| -> anyhow::Result<u64> { Ok(text.trim().parse()?) };
        for line in output.lines().map(str::trim_end) {
            if let Some(rest) = line
                .strip_prefix("Timer: ")
                .and_then(|rest| rest.strip_suffix(" ticks"))
            {
                report.ticks = number(rest)?;
                seen_timer = true;
            } else if let Some(rest) = line.strip_prefix("VM evictions: ") {
                let captures = regex_captures(
                    r"^(\d+) clean, (\d+) dirty; swap: (\d+) outs, (\d+) ins, \d+ slots in use \(peak (\d+)\)",
                    rest,
                )?;
                report.evictions = number(&captures[0])? + number(&captures[1])?;
                report.swap_outs = number(&captures[2])?;
                report.swap_ins = number(&captures[3])?;
                report.swap_used_peak = number(&captures[4])?;
            } else if let Some(rest) = line.strip_prefix("VM CPUs: ") {
                let captures = regex_captures(
                    r"^(\d+) online; TLB shootdowns: (\d+) rounds, (\d+) CPUs interrupted, (\d+) us in all",
                    rest,
                )?;
                report.cpus_online = number(&captures[0])?;
                report.tlb_shootdowns = number(&captures[1])?;
                report.tlb_shootdown_cpus = number(&captures[2])?;
                report.tlb_shootdown_us = number(&captures[3])?;
            } else if let Some(rest) = line
                .strip_suffix(" writes")
                .filter(|line| line.contains(" (swap): "))
            {
                let captures = regex_captures(r"\(swap\): (\d+) reads, (\d+)$", rest)?;
                report.swap_sectors_read = number(&captures[0])?;
                report.swap_sectors_written = number(&captures[1])?;
            } else if let Some(rest) = line.strip_prefix("VM paging: ") {
                report.swap_cache_hits =
                    number(&regex_captures(r"(\d+) swap-cache hits", rest)?[0])?;
                if let Ok(captures) = regex_captures(r"(\d+) clean-ahead writes", rest) {
                    report.clean_ahead_writes = number(&captures[0])?;
                }
                if let Ok(captures) =
                    regex_captures(r"(\d+) read-ahead hits, (\d+) read-ahead wasted", rest)
                {
                    report.read_ahead_hits = number(&captures[0])?;
                    report.read_ahead_wasted = number(&captures[1])?;
                }
                if let Ok(captures) = regex_captures(r"(\d+) load-control waits", rest) {
                    report.load_control_waits = number(&captures[0])?;
                }
            } else if let Some(rest) = line.strip_prefix("VM frames: ") {
                report.frames_peak = number(&regex_captures(r"\(peak (\d+)\)", rest)?[0])?;
            } else if let Some(rest) = line.strip_prefix("Fault histogram ") {
                let (class, counts) = rest
                    .split_once(": ")
                    .unwrap_or((rest.trim_end_matches(':'), ""));
                let class = FaultClass::from_name(class)
                    .ok_or_else(|| anyhow::anyhow!("unknown fault class in: {line}"))?;
                let histogram = Histogram::parse_compact(counts)
                    .ok_or_else(|| anyhow::anyhow!("malformed: {line}"))?;
                report.histograms.insert(class.name(), histogram);
            }
        }
        anyhow::ensure!(
            seen_timer,
            "the kernel printed no statistics (no `Timer:` line)"
        );
        Ok(report)
    }

    pub fn histogram(&self, class: FaultClass) -> Histogram {
        self.histograms
            .get(class.name())
            .cloned()
            .unwrap_or_default()
    }
}

fn regex_captures(pattern: &str, text: &str) -> anyhow::Result<Vec<String>> {
    let captures = regex::Regex::new(pattern)?
        .captures(text)
        .ok_or_else(|| anyhow::anyhow!("`{text}` does not match `{pattern}`"))?;
    Ok(captures
        .iter()
        .skip(1)
        .map(|group| group.map_or(String::new(), |m| m.as_str().to_string()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "\
Executing 'bench-contend run 2 2 1 0 4':
bench probe phase=idle pages=4 | 40:3 44:1
bench count phase=idle iterations=123456 ms=1000
bench kernel phase=idle ms=1001 probes=7 zero-fill=40 swap-in=0
Execution of 'bench-contend run 2 2 1 0 4' complete.
Timer: 345 ticks
hda4 (swap): 16 reads, 24 writes
VM faults: 50 minor (40 zero-fill, 10 resident, 0 shared), 2 major (2 swap-in, 0 file, 0 mmap), 2 deferred, 0 collisions, 0 retries
VM evictions: 1 clean, 3 dirty; swap: 3 outs, 2 ins, 1 slots in use (peak 3) of 1024
VM paging: 5 swap-cache hits, 6 clean-ahead writes, 7 read-ahead hits, 1 read-ahead wasted, 8 load-control waits
VM CPUs: 2 online; TLB shootdowns: 3 rounds, 3 CPUs interrupted, 120 us in all; frame caches: 9 hits, 1 refills
VM frames: 12 in use (peak 300); ATA: 40 requests, 40 IRQ wake-ups; executor: 99 polls
Fault latency minor: 50 faults, p50 7680 ns, p99 12 us, max < 13 us
Fault histogram minor: 44:45 50:5
Powering off...
";

    #[test]
    fn report_lines_give_fields_and_histograms() {
        let lines = report_lines(OUTPUT).unwrap();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].what, "probe");
        assert_eq!(lines[0].text("phase"), "idle");
        assert_eq!(lines[0].histogram.as_ref().unwrap().count(), 4);
        assert_eq!(lines[1].number("iterations"), Some(123_456));
        assert_eq!(lines[2].number("zero-fill"), Some(40));
        assert!(lines[2].histogram.is_none());
        let empty = report_lines("bench probe phase=idle io=busy faults=0 |\n").unwrap();
        assert_eq!(empty[0].histogram.as_ref().map(Histogram::count), Some(0));
    }

    #[test]
    fn a_malformed_report_line_is_an_error() {
        assert!(report_lines("bench probe phase=idle | 4:x\n").is_err());
        assert!(report_lines("bench probe phase\n").is_err());
    }

    #[test]
    fn the_kernel_statistics_are_read() {
        let report = KernelReport::parse(OUTPUT).unwrap();
        assert_eq!(
            (report.ticks, report.swap_outs, report.swap_ins),
            (345, 3, 2)
        );
        assert_eq!((report.frames_peak, report.swap_used_peak), (300, 3));
        assert_eq!(
            (report.swap_sectors_read, report.swap_sectors_written),
            (16, 24)
        );
        assert_eq!((report.swap_cache_hits, report.clean_ahead_writes), (5, 6));
        assert_eq!((report.read_ahead_hits, report.read_ahead_wasted), (7, 1));
        assert_eq!(report.load_control_waits, 8);
        assert_eq!((report.evictions, report.cpus_online), (4, 2));
        assert_eq!(
            (report.tlb_shootdowns, report.tlb_shootdown_cpus, report.tlb_shootdown_us),
            (3, 3, 120)
        );
        assert_eq!(report.histogram(FaultClass::Minor).count(), 50);
        assert_eq!(report.histogram(FaultClass::Major).count(), 0);
    }

    #[test]
    fn output_without_statistics_is_an_error() {
        assert!(KernelReport::parse("Kernel PANIC at somewhere\n").is_err());
    }
}
