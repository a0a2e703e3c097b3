//! Counts the SQL statements each HTTP request runs. sqlx reports every statement as a
//! tracing event at target `sqlx::query` inside the caller's span (its SQLite worker enters
//! that span too); the server opens one `request` span per request carrying the
//! `x-request-id` header. This layer, installed in the test binary's subscriber, adds each
//! statement to the count of the request id it ran under, so concurrent tests do not mix.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

fn seen() -> &'static Mutex<HashMap<String, Vec<String>>> {
    static SEEN: OnceLock<Mutex<HashMap<String, Vec<String>>>> = OnceLock::new();
    SEEN.get_or_init(Mutex::default)
}

/// The statements (sqlx's one-line summaries) run so far by the request sent with
/// `x-request-id: request_id`.
pub fn of(request_id: &str) -> Vec<String> {
    seen().lock().expect("statements").get(request_id).cloned().unwrap_or_default()
}

struct RequestId(String);

struct Counter;

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Counter {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != "request" {
            return;
        }
        struct Find(Option<String>);
        impl Visit for Find {
            fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
                if field.name() == "request_id" {
                    self.0 = Some(format!("{value:?}"));
                }
            }
        }
        let mut find = Find(None);
        attrs.record(&mut find);
        if let (Some(request_id), Some(span)) = (find.0.filter(|r| !r.is_empty()), ctx.span(id)) {
            span.extensions_mut().insert(RequestId(request_id));
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        struct Summary(String);
        impl Visit for Summary {
            fn record_str(&mut self, field: &Field, value: &str) {
                if field.name() == "summary" {
                    value.clone_into(&mut self.0);
                }
            }
            fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
                if field.name() == "summary" {
                    self.0 = format!("{value:?}");
                }
            }
        }
        let Some(scope) = ctx.event_scope(event) else { return };
        for span in scope {
            if let Some(RequestId(id)) = span.extensions().get::<RequestId>() {
                let mut summary = Summary(String::new());
                event.record(&mut summary);
                seen().lock().expect("statements").entry(id.clone()).or_default().push(summary.0);
                return;
            }
        }
    }
}

/// The counting layer with its filter: request spans and sqlx's statement events.
pub fn layer<S: tracing::Subscriber + for<'a> LookupSpan<'a>>() -> impl Layer<S> + Send + Sync {
    Counter.with_filter(
        Targets::new().with_target("sqlx::query", tracing::Level::DEBUG).with_target("web", tracing::Level::INFO),
    )
}
