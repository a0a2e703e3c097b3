//! `roster-bench`: Roster's benchmark harness.
//!
//! For each dataset size (`roster demo --users N`, generated once and reused) and backend,
//! it copies the dataset, starts the real server on the copy (`roster serve`, a child
//! process, so its CPU time and memory are its own), drives it over HTTP with a
//! closed-loop load generator (latencies in an HDR histogram), runs the same SQL directly
//! on the same database for the floor, and writes a Markdown table and JSON.
//!
//! `roster-bench roster …` runs Roster's own command line: the harness starts its
//! datasets, servers and imports that way, so it needs no second binary and always runs the
//! code it was built with.
//!
//! `--quick` (10k users, short runs, cheap Argon2) is what CI runs: every workload must run
//! and answer correctly; timings are reported, never asserted.

mod client;
mod dataset;
mod load;
mod machine;
mod report;
mod server;
mod workloads;

use anyhow::bail;
use clap::Parser;
use dataset::{Backend, Store};
use report::Report;
use std::path::PathBuf;
use std::time::Duration;
use workloads::{Plan, Run};

#[derive(Parser, Debug)]
#[command(name = "roster-bench", about = "Benchmark Roster over HTTP at 10k, 100k and 1M users, beside the SQL floor")]
struct Options {
    /// Dataset sizes, e.g. 10k,100k,1m.
    #[arg(long, value_delimiter = ',', default_value = "10k,1m", value_parser = parse_size)]
    users: Vec<usize>,
    /// Backends: sqlite, postgres.
    #[arg(long, value_delimiter = ',', default_value = "sqlite,postgres")]
    backend: Vec<String>,
    /// CI's correctness run: 10k users, short workloads, cheap Argon2.
    #[arg(long)]
    quick: bool,
    /// Where datasets are kept (and reused) and the results are written.
    #[arg(long, default_value = "target/bench")]
    data_dir: PathBuf,
    /// PostgreSQL server for the PostgreSQL datasets.
    #[arg(long, env = "ROSTER_BENCH_PG_URL", default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pg_url: String,
    /// Seconds each throughput workload and sign-in burst runs (default 5 and 30; quick 1).
    #[arg(long)]
    seconds: Option<f64>,
    /// Remove the datasets when done (they are kept for the next run otherwise).
    #[arg(long)]
    drop_datasets: bool,
}

fn parse_size(s: &str) -> Result<usize, String> {
    let s = s.trim().to_lowercase();
    let (digits, factor) = if let Some(d) = s.strip_suffix('m') {
        (d, 1_000_000)
    } else if let Some(d) = s.strip_suffix('k') {
        (d, 1_000)
    } else {
        (s.as_str(), 1)
    };
    digits.parse::<usize>().map(|n| n * factor).map_err(|_| format!("{s:?} is not a size like 10k or 1m"))
}

fn main() -> anyhow::Result<()> {
    // reqwest's TLS needs its crypto provider installed before any client is built.
    app::sso::install_tls();
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("roster") {
        let cli = <roster::cli::Cli as Parser>::parse_from(&args[1..]);
        return tokio::runtime::Runtime::new()?.block_on(cli.run());
    }
    let options = Options::parse();
    tokio::runtime::Runtime::new()?.block_on(run(options, args.join(" ")))
}

async fn run(mut o: Options, command: String) -> anyhow::Result<()> {
    if o.quick {
        o.users = vec![10_000];
    }
    let plan = plan(&o);
    let env: Vec<(String, String)> = vec![
        ("ROSTER_ARGON2_MEMORY_KIB".into(), plan.argon2.0.to_string()),
        ("ROSTER_ARGON2_ITERATIONS".into(), plan.argon2.1.to_string()),
    ];
    let store = Store::new(&o.data_dir, &o.pg_url)?;
    let mut backends = Vec::new();
    for b in &o.backend {
        match b.as_str() {
            "sqlite" => backends.push(Backend::Sqlite),
            "postgres" | "pg" => {
                if store.pg_reachable().await {
                    backends.push(Backend::Postgres);
                } else if std::env::var("CI").is_ok_and(|v| v == "true") {
                    bail!("PostgreSQL is required under CI=true but {} does not answer", o.pg_url);
                } else {
                    eprintln!("skipping PostgreSQL: {} does not answer", o.pg_url);
                }
            }
            other => bail!("unknown backend {other:?} (sqlite, postgres)"),
        }
    }
    let mut report = Report {
        mode: if o.quick { "quick" } else { "full" }.into(),
        command,
        machine: machine::Machine::now(),
        rows: Vec::new(),
        derived: Vec::new(),
        exponents: Vec::new(),
    };
    if report.machine.busy {
        eprintln!(
            "warning: the machine is busy (load average {:.2} on {} cores): figures will be noisy",
            report.machine.load_at_start[0], report.machine.cores
        );
    }
    for &users in &o.users {
        for &backend in &backends {
            eprintln!("== {} with {users} users", backend.name());
            let admin = store.ensure(backend, users, &env).await?;
            let copy = store.copy(backend, users).await?;
            let outcome = run_one(backend, users, &plan, &copy, admin, &env, &mut report).await;
            store.discard(&copy).await?;
            if o.drop_datasets {
                store.drop_dataset(backend, users).await?;
            }
            outcome?;
        }
    }
    report.machine.finish();
    report.compute_exponents();
    let markdown = report.markdown();
    println!("{markdown}");
    let out = store.dir.join(format!("results-{}", report.mode));
    std::fs::write(out.with_extension("md"), &markdown)?;
    std::fs::write(out.with_extension("json"), serde_json::to_string_pretty(&report)?)?;
    eprintln!("written: {}.md and .json", out.display());
    let failed: Vec<String> =
        report.rows.iter().filter(|r| !r.ok).map(|r| format!("{}: {}", r.workload, r.check)).collect();
    if !failed.is_empty() {
        bail!("{} workload(s) answered wrongly:\n{}", failed.len(), failed.join("\n"));
    }
    Ok(())
}

fn plan(o: &Options) -> Plan {
    let seconds = |default: f64| Duration::from_secs_f64(o.seconds.unwrap_or(default));
    if o.quick {
        Plan {
            latency_requests: 20,
            latency_time: Duration::from_millis(500),
            throughput_time: seconds(1.0),
            concurrency: 16,
            burst_time: seconds(1.0),
            sign_ins: 5,
            import_rows: 300,
            deep_rows: 25_000,
            argon2: (1024, 1),
        }
    } else {
        Plan {
            latency_requests: 300,
            latency_time: Duration::from_secs(5),
            throughput_time: seconds(5.0),
            concurrency: 32,
            burst_time: seconds(30.0),
            sign_ins: 30,
            import_rows: 100_000,
            deep_rows: 25_000,
            argon2: (19_456, 2),
        }
    }
}

async fn run_one(
    backend: Backend,
    users: usize,
    plan: &Plan,
    copy: &dataset::RunCopy,
    admin: dataset::Credentials,
    env: &[(String, String)],
    report: &mut Report,
) -> anyhow::Result<()> {
    let server = server::Server::start(&copy.url, &copy.data_dir, env).await?;
    let db = store::Db::connect(&copy.url).await?;
    let mut run = Run::new(backend, users, plan, &server.base, db.clone(), &server.probe, admin, copy, env).await?;
    let outcome = run.all().await;
    report.rows.append(&mut run.rows);
    report.derived.append(&mut run.derived);
    db.close().await;
    server.stop();
    outcome
}
