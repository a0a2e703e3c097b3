//! The load generator: closed-loop requests, sequential or from many concurrent workers,
//! with latencies in an HDR histogram (µs, 3 significant digits).

use hdrhistogram::Histogram;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Latencies and counts of one measurement.
#[derive(Debug, Clone)]
pub struct Sample {
    pub latencies_us: Histogram<u64>,
    pub errors: u64,
    pub elapsed: Duration,
    /// The first error met, to say what went wrong.
    pub first_error: Option<String>,
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid histogram bounds")
}

impl Sample {
    pub fn requests(&self) -> u64 {
        self.latencies_us.len() + self.errors
    }

    /// Latency at quantile `q` (0–1) in milliseconds.
    pub fn ms(&self, q: f64) -> f64 {
        self.latencies_us.value_at_quantile(q) as f64 / 1000.0
    }

    /// Successful requests per second.
    pub fn throughput(&self) -> f64 {
        self.latencies_us.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn record(&mut self, started: Instant, result: anyhow::Result<()>) {
        match result {
            Ok(()) => {
                let us = started.elapsed().as_micros().max(1) as u64;
                let _ = self.latencies_us.record(us.min(600_000_000));
            }
            Err(e) => {
                self.errors += 1;
                self.first_error.get_or_insert_with(|| format!("{e:#}"));
            }
        }
    }
}

/// Runs `call` one at a time, `n` times or until `max` has passed (at least once).
pub async fn sequential<F, Fut>(n: usize, max: Duration, mut call: F) -> Sample
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let mut sample = Sample { latencies_us: histogram(), errors: 0, elapsed: Duration::ZERO, first_error: None };
    let begun = Instant::now();
    for i in 0..n {
        let started = Instant::now();
        let result = call(i).await;
        sample.record(started, result);
        if begun.elapsed() >= max {
            break;
        }
    }
    sample.elapsed = begun.elapsed();
    sample
}

/// Runs `call` from `workers` concurrent tasks for `duration`; each task sends its next
/// request as soon as the previous one answered.
pub async fn concurrent<F, Fut>(workers: usize, duration: Duration, call: F) -> Sample
where
    F: Fn(usize) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let total = Arc::new(Mutex::new(Sample {
        latencies_us: histogram(),
        errors: 0,
        elapsed: Duration::ZERO,
        first_error: None,
    }));
    let begun = Instant::now();
    let deadline = begun + duration;
    let mut tasks = Vec::new();
    for w in 0..workers {
        let call = call.clone();
        let total = total.clone();
        tasks.push(tokio::spawn(async move {
            let mut own = Sample { latencies_us: histogram(), errors: 0, elapsed: Duration::ZERO, first_error: None };
            let mut i = w;
            while Instant::now() < deadline {
                let started = Instant::now();
                let result = call(i).await;
                own.record(started, result);
                i += workers;
            }
            let mut t = total.lock().await;
            let _ = t.latencies_us.add(&own.latencies_us);
            t.errors += own.errors;
            if t.first_error.is_none() {
                t.first_error = own.first_error;
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let mut sample = total.lock().await.clone();
    sample.elapsed = begun.elapsed();
    sample
}

/// Times `call` in-process (the SQL floor): `n` runs after two warm-ups.
pub async fn floor<F, Fut>(n: usize, mut call: F) -> Sample
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    for _ in 0..2 {
        let _ = call().await;
    }
    sequential(n, Duration::from_secs(10), |_| call()).await
}
