//! Time as the schema stores it: microseconds since the Unix epoch.

use time::OffsetDateTime;

pub type Micros = i64;

pub const SECOND: Micros = 1_000_000;
pub const MINUTE: Micros = 60 * SECOND;
pub const HOUR: Micros = 60 * MINUTE;
pub const DAY: Micros = 24 * HOUR;

pub fn now() -> Micros {
    to_micros(OffsetDateTime::now_utc())
}

pub fn to_micros(t: OffsetDateTime) -> Micros {
    (t.unix_timestamp_nanos() / 1000) as Micros
}

pub fn from_micros(us: Micros) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// RFC 3339 text, for APIs.
pub fn rfc3339(us: Micros) -> String {
    from_micros(us).format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micros_round_trip_through_offset_date_time() {
        let t = now();
        assert_eq!(to_micros(from_micros(t)), t);
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    }
}
