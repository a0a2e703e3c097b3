//! The run's results: one row per workload, derived ratios, scaling exponents, the
//! machine; printed as Markdown and written as JSON.

use crate::dataset::Backend;
use crate::machine::Machine;
use serde::Serialize;
use std::fmt::Write as _;

/// One workload measured on one dataset.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub backend: Backend,
    pub users: usize,
    pub workload: String,
    pub requests: u64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    /// Successful requests per second.
    pub throughput_rps: f64,
    /// Server CPU time (user + system) per 1,000 requests, in seconds.
    pub cpu_s_per_1k: f64,
    /// Server peak resident memory during the workload (VmHWM after a reset), MiB.
    pub peak_rss_mib: f64,
    /// Server resident memory right after the workload, MiB.
    pub rss_after_mib: f64,
    /// p50 of the same SQL run directly on the same database, ms.
    pub floor_p50_ms: Option<f64>,
    /// `p50_ms / floor_p50_ms`.
    pub ratio: Option<f64>,
    pub errors: u64,
    /// Whether every answer was what the workload expects (see `check`).
    pub ok: bool,
    /// What was checked, or what was wrong.
    pub check: String,
}

/// A figure computed from several rows, beside the target for it.
#[derive(Debug, Clone, Serialize)]
pub struct Derived {
    pub backend: Backend,
    pub users: usize,
    pub what: String,
    pub value: f64,
    pub target: String,
    pub met: bool,
}

/// `log(t_big / t_small) / log(n_big / n_small)` of one workload's p50 between two sizes.
#[derive(Debug, Clone, Serialize)]
pub struct Exponent {
    pub backend: Backend,
    pub workload: String,
    pub from_users: usize,
    pub to_users: usize,
    pub exponent: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub mode: String,
    pub command: String,
    pub machine: Machine,
    pub rows: Vec<Row>,
    pub derived: Vec<Derived>,
    pub exponents: Vec<Exponent>,
}

impl Report {
    /// Fills `exponents` from the smallest and largest size of each backend.
    pub fn compute_exponents(&mut self) {
        self.exponents.clear();
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let sizes: Vec<usize> = self.rows.iter().filter(|r| r.backend == backend).map(|r| r.users).collect();
            let (Some(&small), Some(&big)) = (sizes.iter().min(), sizes.iter().max()) else { continue };
            if small == big {
                continue;
            }
            for r in self.rows.iter().filter(|r| r.backend == backend && r.users == big) {
                let Some(s) =
                    self.rows.iter().find(|s| s.backend == backend && s.users == small && s.workload == r.workload)
                else {
                    continue;
                };
                if s.p50_ms > 0.0 && r.p50_ms > 0.0 {
                    let exponent = (r.p50_ms / s.p50_ms).ln() / (big as f64 / small as f64).ln();
                    self.exponents.push(Exponent {
                        backend,
                        workload: r.workload.clone(),
                        from_users: small,
                        to_users: big,
                        exponent,
                    });
                }
            }
        }
    }

    pub fn markdown(&self) -> String {
        let m = &self.machine;
        let mut out = String::new();
        let _ = writeln!(out, "# roster-bench ({} mode)\n", self.mode);
        let _ = writeln!(out, "`{}`\n", self.command);
        let _ = writeln!(
            out,
            "Machine: {} cores ({}), {:.1} GiB; load average {:.2} {:.2} {:.2} at start, {:.2} {:.2} {:.2} at end{}\n",
            m.cores,
            m.cpu_model,
            m.memory_gib,
            m.load_at_start[0],
            m.load_at_start[1],
            m.load_at_start[2],
            m.load_at_end[0],
            m.load_at_end[1],
            m.load_at_end[2],
            if m.busy { " — **the machine was busy: figures are noisy**" } else { "" }
        );
        let mut groups: Vec<(Backend, usize)> = self.rows.iter().map(|r| (r.backend, r.users)).collect();
        groups.dedup();
        for (backend, users) in groups {
            let _ = writeln!(out, "## {} — {users} users\n", backend.name());
            let _ = writeln!(
                out,
                "| workload | req | p50 ms | p95 ms | p99 ms | req/s | CPU s/1k | peak RSS MiB | RSS after | floor p50 ms | ratio | ok |"
            );
            let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
            for r in self.rows.iter().filter(|r| r.backend == backend && r.users == users) {
                let opt = |v: Option<f64>, digits: usize| v.map_or_else(|| "–".to_owned(), |v| format!("{v:.digits$}"));
                let _ = writeln!(
                    out,
                    "| {} | {} | {:.2} | {:.2} | {:.2} | {:.0} | {:.3} | {:.0} | {:.0} | {} | {} | {} |",
                    r.workload,
                    r.requests,
                    r.p50_ms,
                    r.p95_ms,
                    r.p99_ms,
                    r.throughput_rps,
                    r.cpu_s_per_1k,
                    r.peak_rss_mib,
                    r.rss_after_mib,
                    opt(r.floor_p50_ms, 3),
                    opt(r.ratio, 1),
                    if r.ok { "yes".to_owned() } else { format!("**no**: {}", r.check) }
                );
            }
            let derived: Vec<&Derived> =
                self.derived.iter().filter(|d| d.backend == backend && d.users == users).collect();
            if !derived.is_empty() {
                let _ = writeln!(out, "\n| derived | value | target | met |\n|---|---:|---|---|");
                for d in derived {
                    let _ = writeln!(
                        out,
                        "| {} | {:.2} | {} | {} |",
                        d.what,
                        d.value,
                        d.target,
                        if d.met { "yes" } else { "**no**" }
                    );
                }
            }
            out.push('\n');
        }
        if !self.exponents.is_empty() {
            let _ = writeln!(out, "## Scaling exponents log(t_big/t_small)/log(n_big/n_small) of p50\n");
            let _ = writeln!(out, "| backend | workload | from | to | exponent |\n|---|---|---:|---:|---:|");
            for e in &self.exponents {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {:.2} |",
                    e.backend.name(),
                    e.workload,
                    e.from_users,
                    e.to_users,
                    e.exponent
                );
            }
        }
        out
    }
}
