//! Time as the schema stores it: microseconds since the Unix epoch.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use time::OffsetDateTime;

pub type Micros = i64;

pub const SECOND: Micros = 1_000_000;
pub const MINUTE: Micros = 60 * SECOND;
pub const HOUR: Micros = 60 * MINUTE;
pub const DAY: Micros = 24 * HOUR;

pub fn now() -> Micros {
    to_micros(OffsetDateTime::now_utc())
}

/// The session check's time source: the system clock, or one that tests move by hand
/// (idle timeouts are minutes long). Cheap to clone; clones share a manual clock's time.
#[derive(Debug, Clone, Default)]
pub struct Clock(Option<Arc<AtomicI64>>);

impl Clock {
    pub fn system() -> Self {
        Self(None)
    }

    /// A clock that stands at `start` until [`Clock::advance`] moves it.
    pub fn manual(start: Micros) -> Self {
        Self(Some(Arc::new(AtomicI64::new(start))))
    }

    pub fn now(&self) -> Micros {
        self.0.as_ref().map_or_else(now, |t| t.load(Ordering::SeqCst))
    }

    /// Moves a manual clock forward by `by` µs (the system clock moves by itself).
    pub fn advance(&self, by: Micros) {
        if let Some(t) = &self.0 {
            t.fetch_add(by, Ordering::SeqCst);
        }
    }
}

pub fn to_micros(t: OffsetDateTime) -> Micros {
    (t.unix_timestamp_nanos() / 1000) as Micros
}

pub fn from_micros(us: Micros) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// RFC 3339 text in UTC, for APIs and exports, always with six fractional digits: then the
/// text sorts like the time does (a trimmed ".2Z" would sort after ".201611Z").
pub fn rfc3339(us: Micros) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
    from_micros(us).format(&format).unwrap_or_default()
}

/// A time for people to read, in UTC to the minute: `2026-12-02 14:05 UTC`.
pub fn minute_utc(us: Micros) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    from_micros(us).format(&format).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micros_round_trip_through_offset_date_time() {
        let t = now();
        assert_eq!(to_micros(from_micros(t)), t);
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(rfc3339(200_000), "1970-01-01T00:00:00.200000Z");
        assert!(rfc3339(200_000) > rfc3339(199_999), "text order is time order");
    }
}
