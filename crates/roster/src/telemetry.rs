//! Structured logs (human-readable text or one JSON object per line), and the bridge that
//! turns sqlx's pool acquire events into the pool wait histogram.

use crate::config::LogFormat;
use std::io::IsTerminal;
use tracing::field::{Field, Visit};
use tracing_subscriber::filter::{EnvFilter, Targets};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, Registry};

/// Where sqlx reports each pool acquire (with `acquired_after_secs`).
const POOL_ACQUIRE: &str = "sqlx::pool::acquire";

/// Installs the global subscriber. `RUST_LOG` refines the default `info` level of the logs;
/// the pool wait metric sees sqlx's acquire events whatever the log level.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_ansi(std::io::stderr().is_terminal());
    let logs = match format {
        LogFormat::Json => fmt.json().with_filter(filter).boxed(),
        LogFormat::Text => fmt.with_filter(filter).boxed(),
    };
    let _ = Registry::default().with(vec![logs, pool_wait_layer()]).try_init();
}

/// Only the pool wait metric, no logs (for tests, which start apps in-process).
pub fn init_metrics_only() {
    init_metrics_only_with(Vec::new());
}

/// [`init_metrics_only`] with more layers (a test's statement counter). The first call in a
/// process installs the subscriber; later ones change nothing.
pub fn init_metrics_only_with(extra: Vec<Box<dyn Layer<Registry> + Send + Sync>>) {
    let mut layers = vec![pool_wait_layer()];
    layers.extend(extra);
    let _ = Registry::default().with(layers).try_init();
}

fn pool_wait_layer() -> Box<dyn Layer<Registry> + Send + Sync> {
    PoolWait.with_filter(Targets::new().with_target(POOL_ACQUIRE, tracing::Level::TRACE)).boxed()
}

/// Records `acquired_after_secs` of every pool acquire event.
struct PoolWait;

impl<S: tracing::Subscriber> Layer<S> for PoolWait {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        struct Seconds(Option<f64>);
        impl Visit for Seconds {
            fn record_f64(&mut self, field: &Field, value: f64) {
                if field.name() == "acquired_after_secs" {
                    self.0 = Some(value);
                }
            }
            fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
        }
        let mut seconds = Seconds(None);
        event.record(&mut seconds);
        if let Some(s) = seconds.0 {
            app::metrics::pool_acquired(s);
        }
    }
}
