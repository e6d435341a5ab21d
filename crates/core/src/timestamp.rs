//! Event time: nanoseconds since the Unix epoch, UTC.
//!
//! OpenZiti writes RFC 3339 with trimmed nanoseconds and local offsets
//! (`…T09:01:03.5Z`, `…T14:02:56-04:00`); the design note's shape may carry a
//! number instead. Both end up as one ordered integer, which is cheap to
//! compare, hash and send.

use serde::{Deserialize, Serialize};
use std::fmt;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A point in time, in nanoseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Parses RFC 3339 with any sub-second precision and any offset.
    pub fn parse_rfc3339(text: &str) -> Result<Self, String> {
        let dt = OffsetDateTime::parse(text, &Rfc3339).map_err(|e| format!("not an RFC 3339 time ({e})"))?;
        let nanos = dt.unix_timestamp_nanos();
        i64::try_from(nanos).map(Timestamp).map_err(|_| "time is outside 1677..2262".to_string())
    }

    /// Interprets a bare number by its magnitude: seconds, milliseconds,
    /// microseconds or nanoseconds since the epoch. Producers of the design
    /// note's shape disagree on the unit, and magnitudes do not overlap for
    /// any date between 1973 and 2286.
    pub fn from_epoch_number(n: f64) -> Result<Self, String> {
        if !n.is_finite() || n < 0.0 {
            return Err(format!("{n} is not a time"));
        }
        let nanos = if n < 1e11 {
            n * 1e9
        } else if n < 1e14 {
            n * 1e6
        } else if n < 1e17 {
            n * 1e3
        } else {
            n
        };
        if nanos >= i64::MAX as f64 {
            return Err(format!("{n} is too far in the future"));
        }
        Ok(Timestamp(nanos as i64))
    }

    /// Milliseconds since the epoch (what browsers' `Date` uses).
    pub fn as_millis(self) -> f64 {
        self.0 as f64 / 1e6
    }

    /// From milliseconds since the epoch, such as `Date.now()`.
    pub fn from_millis(ms: f64) -> Self {
        Timestamp((ms * 1e6) as i64)
    }

    /// RFC 3339 in UTC with the precision that is needed, for display and logs.
    pub fn to_rfc3339(self) -> String {
        OffsetDateTime::from_unix_timestamp_nanos(self.0 as i128)
            .ok()
            .and_then(|dt| dt.format(&Rfc3339).ok())
            .unwrap_or_else(|| format!("@{}ns", self.0))
    }
}

/// A span of nanoseconds for people: the two largest units, as in
/// `3d 4h`, `2h 05m`, `4m 09s` or `12s` (negative spans read as zero).
pub fn human_duration(ns: i64) -> String {
    let s = ns.max(0) / 1_000_000_000;
    let (d, h, m) = (s / 86_400, s / 3600 % 24, s / 60 % 60);
    match () {
        _ if d > 0 => format!("{d}d {h}h"),
        _ if h > 0 => format!("{h}h {m:02}m"),
        _ if m > 0 => format!("{m}m {:02}s", s % 60),
        _ => format!("{s}s"),
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_for_people() {
        const S: i64 = 1_000_000_000;
        assert_eq!(human_duration(-5 * S), "0s");
        assert_eq!(human_duration(12 * S + 999_999_999), "12s");
        assert_eq!(human_duration(249 * S), "4m 09s");
        assert_eq!(human_duration((2 * 3600 + 5 * 60 + 7) * S), "2h 05m");
        assert_eq!(human_duration((3 * 86_400 + 4 * 3600 + 59) * S), "3d 4h");
    }

    #[test]
    fn trimmed_fractions_and_offsets() {
        let a = Timestamp::parse_rfc3339("2025-06-12T09:01:03.5Z").unwrap();
        let b = Timestamp::parse_rfc3339("2025-06-12T09:01:03.500000000Z").unwrap();
        assert_eq!(a, b);
        let whole = Timestamp::parse_rfc3339("2025-06-12T09:01:04Z").unwrap();
        assert_eq!(whole.0 - a.0, 500_000_000);
        let local = Timestamp::parse_rfc3339("2025-06-12T05:01:04-04:00").unwrap();
        assert_eq!(local, whole);
        let nanos = Timestamp::parse_rfc3339("2025-06-12T09:00:11.20477513Z").unwrap();
        assert_eq!(nanos.0 % 1_000_000_000, 204_775_130);
    }

    #[test]
    fn rejects_garbage() {
        assert!(Timestamp::parse_rfc3339("yesterday").is_err());
        assert!(Timestamp::parse_rfc3339("2025-13-12T09:01:03Z").is_err());
        assert!(Timestamp::from_epoch_number(f64::NAN).is_err());
        assert!(Timestamp::from_epoch_number(-1.0).is_err());
    }

    #[test]
    fn epoch_numbers_by_magnitude() {
        let s = Timestamp::from_epoch_number(1_749_718_864.0).unwrap();
        let ms = Timestamp::from_epoch_number(1_749_718_864_000.0).unwrap();
        let us = Timestamp::from_epoch_number(1_749_718_864_000_000.0).unwrap();
        assert_eq!(s, ms);
        assert_eq!(ms, us);
        assert_eq!(s.to_rfc3339(), "2025-06-12T09:01:04Z");
    }
}
