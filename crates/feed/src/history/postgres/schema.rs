//! The PostgreSQL history's tables, and their partitions by day.
//!
//! The tables are SQLite's (`sqlite/mod.rs` says what each holds), with
//! `events` and `changes` partitioned by range of their time, one partition
//! a UTC day (`events_20261207`): retention drops whole days, which frees
//! their space at once, where deleting rows would leave it to VACUUM.
//! Partitions are made as rows for a day first arrive ([`Partitions`]).
//!
//! Ids come from sequences, taken before the rows go in, so that a batch's
//! ids follow its order (see `insert` in `mod.rs`); a row skipped as
//! already stored leaves a gap, which the late rule allows (`late.rs`).

use postgres::GenericClient;
use std::collections::BTreeSet;

pub(super) const SCHEMA: &str = "
    CREATE SEQUENCE IF NOT EXISTS events_id_seq;
    CREATE TABLE IF NOT EXISTS events (
        id     BIGINT NOT NULL,
        at     BIGINT NOT NULL,
        type   TEXT,
        name   TEXT,
        digest BIGINT NOT NULL,
        body   TEXT NOT NULL,
        UNIQUE (at, digest)
    ) PARTITION BY RANGE (at);
    CREATE INDEX IF NOT EXISTS events_at ON events (at, id);
    CREATE INDEX IF NOT EXISTS events_id ON events (id);
    CREATE TABLE IF NOT EXISTS checkpoints (
        event_id BIGINT PRIMARY KEY,
        max_at   BIGINT NOT NULL,
        state    TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS checkpoints_at ON checkpoints (max_at);
    CREATE SEQUENCE IF NOT EXISTS changes_id_seq;
    CREATE TABLE IF NOT EXISTS changes (
        id   BIGINT NOT NULL,
        at   BIGINT NOT NULL,
        body TEXT NOT NULL
    ) PARTITION BY RANGE (at);
    CREATE INDEX IF NOT EXISTS changes_at ON changes (at, id);
    CREATE TABLE IF NOT EXISTS late (
        id BIGINT PRIMARY KEY,
        at BIGINT NOT NULL
    );
    -- `dropped`: whether retention ever dropped an event (a seek with no
    -- checkpoint before its moment may start from the first row only if not);
    -- `batch`: the last of the hub's batches written (where a replica that
    -- takes over starts writing).
    CREATE TABLE IF NOT EXISTS records (
        id   BIGSERIAL PRIMARY KEY,
        kind TEXT NOT NULL,
        at   BIGINT NOT NULL,
        body TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS history_meta (
        key   TEXT PRIMARY KEY,
        value BIGINT NOT NULL
    );
";

/// The partitioned tables.
pub(super) const PARTITIONED: [&str; 2] = ["events", "changes"];

const DAY_NS: i64 = 86_400 * 1_000_000_000;

/// The UTC day (days since 1970-01-01) an event time falls in.
pub(super) fn day_of(at: i64) -> i64 {
    at.div_euclid(DAY_NS)
}

/// The first event time of `day`, or `None` past the last representable
/// one (the last day's partition is open-ended).
pub(super) fn start_of(day: i64) -> Option<i64> {
    day.checked_mul(DAY_NS)
}

/// `table`'s partition for `day`: `events_20261207`.
fn partition(table: &str, day: i64) -> String {
    let (y, m, d) = civil(day);
    format!("{table}_{y:04}{m:02}{d:02}")
}

/// The day a partition's name is for (`None` for a name not of ours).
fn day_of_name(table: &str, name: &str) -> Option<i64> {
    let digits = name.strip_prefix(table)?.strip_prefix('_')?;
    if digits.len() < 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (y, md) = digits.split_at(digits.len() - 4);
    let (m, d) = md.split_at(2);
    Some(days(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?))
}

/// The date of a day since the epoch (Howard Hinnant's `civil_from_days`).
fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The day since the epoch of a date (`days_from_civil`).
fn days(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from(if m > 2 { m - 3 } else { m + 9 });
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The days that have partitions, kept by the writer so that a batch
/// makes only the ones it lacks.
#[derive(Default)]
pub(super) struct Partitions {
    days: BTreeSet<i64>,
}

impl Partitions {
    /// The partitions the database holds (of `events`; `changes` gets the
    /// same days).
    pub(super) fn load(db: &mut impl GenericClient) -> Result<Partitions, postgres::Error> {
        let rows = db.query(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'events'::regclass",
            &[],
        )?;
        let days = rows.iter().filter_map(|r| day_of_name("events", r.get(0))).collect();
        Ok(Partitions { days })
    }

    /// Makes the partitions of both tables for each of `days` not made yet.
    pub(super) fn ensure(
        &mut self,
        db: &mut impl GenericClient,
        days: impl IntoIterator<Item = i64>,
    ) -> Result<(), postgres::Error> {
        for day in days {
            if self.days.contains(&day) {
                continue;
            }
            let bound = |day: i64| start_of(day).map_or("MAXVALUE".to_string(), |t| t.to_string());
            for table in PARTITIONED {
                db.batch_execute(&format!(
                    "CREATE TABLE IF NOT EXISTS {} PARTITION OF {table} FOR VALUES FROM ({}) TO ({})",
                    partition(table, day),
                    // The first day's start is below every time there is.
                    if start_of(day).is_some() { bound(day) } else { "MINVALUE".into() },
                    bound(day + 1),
                ))?;
            }
            self.days.insert(day);
        }
        Ok(())
    }

    /// The oldest day with partitions, when it is not the only one.
    pub(super) fn oldest_but_newest(&self) -> Option<i64> {
        let oldest = *self.days.first()?;
        (self.days.len() > 1).then_some(oldest)
    }

    /// Drops both tables' partitions for each day that ends at or before
    /// `before`, whose events all have ids up to `keep` (a checkpoint holds
    /// them). Returns the events they held.
    pub(super) fn drop_before(
        &mut self,
        db: &mut impl GenericClient,
        before: i64,
        keep: i64,
    ) -> Result<usize, postgres::Error> {
        let mut dropped = 0;
        let ends_before = |day: i64| start_of(day + 1).is_some_and(|end| end <= before);
        for day in self.days.clone().into_iter().take_while(|&d| ends_before(d)) {
            let events = partition("events", day);
            let row = db.query_one(&format!("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM {events}"), &[])?;
            let (n, last): (i64, i64) = (row.get(0), row.get(1));
            if last > keep {
                continue;
            }
            for table in PARTITIONED {
                db.batch_execute(&format!("DROP TABLE IF EXISTS {}", partition(table, day)))?;
            }
            self.days.remove(&day);
            dropped += n as usize;
        }
        Ok(dropped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_names_go_both_ways() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(partition("events", day_of(1_796_601_600_000_000_000)), "events_20261207");
        assert_eq!(civil(-1), (1969, 12, 31));
        for day in [-200_000, -1, 0, 1, 59, 60, 20_429, 106_751] {
            assert_eq!(day_of_name("events", &partition("events", day)), Some(day), "day {day}");
            let (y, m, d) = civil(day);
            assert_eq!(days(y, m, d), day);
        }
        assert_eq!(day_of_name("events", "events_x"), None);
        assert_eq!(day_of_name("events", "changes_20261207"), None);
        assert_eq!(day_of(-1), -1, "a moment before the epoch is in the day before it");
        assert_eq!(start_of(day_of(i64::MAX) + 1), None);
    }
}
