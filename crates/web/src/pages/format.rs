//! How pages write times: UTC, to the minute (or the day), the same on every page.

use app::clock::from_micros;

/// "2026-11-27 14:05 UTC" for a time in microseconds since the epoch.
pub fn when(us: i64) -> String {
    let t = from_micros(us);
    format!("{:04}-{:02}-{:02} {:02}:{:02} UTC", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
}

/// "2026-11-27" for a time in microseconds since the epoch.
pub fn day(us: i64) -> String {
    let t = from_micros(us);
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}
