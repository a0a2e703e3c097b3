//! The machine the run happens on, and a server process's CPU time and memory, read from
//! `/proc` (Linux).

use serde::Serialize;
use std::time::Duration;

/// Cores and load when the run started and ended.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cores: usize,
    pub cpu_model: String,
    pub memory_gib: f64,
    /// 1-, 5- and 15-minute load averages at the start.
    pub load_at_start: [f64; 3],
    pub load_at_end: [f64; 3],
    /// The 1-minute load average at the start was above half the cores.
    pub busy: bool,
}

impl Machine {
    pub fn now() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = cpuinfo
            .lines()
            .find_map(|l| {
                l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, v)| v.trim().to_owned())
            })
            .unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory_gib = field_kib(&meminfo, "MemTotal:").map_or(0.0, |k| k as f64 / 1024.0 / 1024.0);
        let load = load_average();
        Self {
            cores,
            cpu_model,
            memory_gib,
            load_at_start: load,
            load_at_end: load,
            busy: load[0] > cores as f64 / 2.0,
        }
    }

    pub fn finish(&mut self) {
        self.load_at_end = load_average();
    }
}

pub fn load_average() -> [f64; 3] {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut it = text.split_whitespace().map(|v| v.parse().unwrap_or(0.0));
    [it.next().unwrap_or(0.0), it.next().unwrap_or(0.0), it.next().unwrap_or(0.0)]
}

fn field_kib(text: &str, name: &str) -> Option<u64> {
    text.lines().find_map(|l| l.strip_prefix(name)).and_then(|v| v.split_whitespace().next()?.parse().ok())
}

/// Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`; 100 on Linux).
fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse().ok())
        .unwrap_or(100.0)
}

/// Reads one process's CPU time and memory.
#[derive(Debug, Clone)]
pub struct ProcessProbe {
    pid: u32,
    ticks_per_second: f64,
}

impl ProcessProbe {
    pub fn new(pid: u32) -> Self {
        Self { pid, ticks_per_second: clock_ticks() }
    }

    /// User + system CPU time used so far.
    pub fn cpu(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)).unwrap_or_default();
        // Fields after the command name (which may hold spaces) start at state (field 3);
        // utime and stime are fields 14 and 15.
        let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let fields: Vec<&str> = after.split_whitespace().collect();
        let ticks: f64 = [11, 12].iter().filter_map(|i| fields.get(*i)?.parse::<f64>().ok()).sum();
        Duration::from_secs_f64(ticks / self.ticks_per_second)
    }

    /// (resident now, peak resident since the last [`Self::reset_peak`]) in MiB.
    pub fn memory_mib(&self) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).unwrap_or_default();
        let mib = |name| field_kib(&status, name).map_or(0.0, |k| k as f64 / 1024.0);
        (mib("VmRSS:"), mib("VmHWM:"))
    }

    /// Resets the kernel's peak-RSS mark (`echo 5 > /proc/<pid>/clear_refs`), so the next
    /// peak is this workload's own.
    pub fn reset_peak(&self) {
        let _ = std::fs::write(format!("/proc/{}/clear_refs", self.pid), "5");
    }
}
