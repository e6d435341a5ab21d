//! Which rows arrived late: the writer lists them in the `late` table, so
//! that a seek can stop reading rows in arrival order soon after its moment
//! (`seek::replay_to`).
//!
//! The invariant: a row **not** listed in `late` happened
//! - no earlier than the newest event time stored before it, less
//!   [`LATE_NS`] (the time bound), and
//! - after the newest event time of the rows [`LATE_ROWS`] or more ids
//!   before it (the row bound).
//!
//! So, for a moment `until`, take any row `g` that happened after `until`:
//! - every unlisted row after the first row that happened after
//!   `until + LATE_NS` happened after `until`;
//! - every unlisted row after `g + LATE_ROWS` happened after `until`, since
//!   the newest time up to `g` is at least `g`'s own.
//!
//! A seek reads rows up to the nearer of the two, and the listed rows after
//! it from `late`. The time bound keeps a slow network's reads short (a
//! second of events), the row bound a dense one's: a history whose events
//! are microseconds apart (a mass reconnect, a benchmark's stream) has
//! ~100,000 rows in a second, and reading them all was most of a seek.
//!
//! The rules:
//! - Being listed too often is safe (the seek reads more from `late`);
//!   listing too rarely is not. So a writer that does not know the times
//!   before it (a new file, a restart) starts from what the file holds.
//! - Both bounds are generous enough that in-order streams, HA copies and
//!   controllers' clocks a little apart are rarely listed.

use std::collections::VecDeque;

/// How far behind the newest stored event time a row may arrive and still
/// not be listed in `late` (the time bound). A larger bound lists fewer
/// rows (HA copies and controllers with skewed clocks arrive a little
/// behind each other) and makes a seek read more.
pub const LATE_NS: i64 = 1_000_000_000;

/// The row bound: a row that happened no later than the newest of the
/// rows this many ids before it is listed in `late`. Larger lists fewer
/// rows (batches of several controllers interleave by up to a batch) and
/// makes a seek read more; a few thousand rows read cost about a
/// millisecond. Small in the tests, so that their few rows cross it.
pub const LATE_ROWS: i64 = if cfg!(test) { 8 } else { 4_096 };

/// The writer's view of the rows before the next one: the newest event
/// time so far, and the newest up to each of the last [`LATE_ROWS`] ids.
#[derive(Clone, Debug)]
pub struct Arrivals {
    /// The newest event time stored (`i64::MIN` with none).
    newest: i64,
    /// `(id, the newest event time of the rows up to it)`, ids ascending,
    /// for the rows the row bound may still look at.
    recent: VecDeque<(i64, i64)>,
    /// The newest event time of the rows that left `recent`.
    before: i64,
}

impl Default for Arrivals {
    fn default() -> Self {
        Arrivals { newest: i64::MIN, recent: VecDeque::new(), before: i64::MIN }
    }
}

impl Arrivals {
    /// The view after `rows` (`(id, at)`, ids ascending), the last rows of
    /// a file whose earlier rows' newest time is `before`.
    pub fn resume(before: i64, rows: impl IntoIterator<Item = (i64, i64)>) -> Arrivals {
        let mut a = Arrivals { newest: before, recent: VecDeque::new(), before };
        for (id, at) in rows {
            a.push(id, at);
        }
        a
    }

    /// Whether a row `id` that happened at `at`, arriving now, is late.
    pub fn is_late(&self, id: i64, at: i64) -> bool {
        at < self.newest.saturating_sub(LATE_NS) || at <= self.newest_up_to(id - LATE_ROWS)
    }

    /// Records row `id` (after every row recorded so far).
    pub fn push(&mut self, id: i64, at: i64) {
        self.newest = self.newest.max(at);
        self.recent.push_back((id, self.newest));
        // Rows at or before `id + 1 - LATE_ROWS` answer the next row's
        // question together: keep the newest of them, fold the rest.
        while self.recent.len() > 1 && self.recent[1].0 <= id + 1 - LATE_ROWS {
            if let Some((_, t)) = self.recent.pop_front() {
                self.before = t;
            }
        }
    }

    /// The newest event time of the rows with ids up to `id`.
    fn newest_up_to(&self, id: i64) -> i64 {
        let n = self.recent.partition_point(|&(i, _)| i <= id);
        match n {
            0 => self.before,
            n => self.recent[n - 1].1,
        }
    }
}

/// Lists in `late` the rows of a file written before a bound existed, by
/// the rules [`Arrivals::is_late`] applies to each new row (`?1` is
/// [`LATE_NS`], `?2` is [`LATE_ROWS`]).
pub const BACKFILL: &str = "
    INSERT OR IGNORE INTO late (id, at)
    SELECT id, at FROM (
        SELECT id, at,
            MAX(at) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS newest,
            MAX(at) OVER (ORDER BY id RANGE BETWEEN UNBOUNDED PRECEDING AND ?2 PRECEDING) AS older
        FROM events
    ) WHERE at < newest - ?1 OR at <= older
";

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule as stated, over the whole list: what `Arrivals` must agree with.
    fn plain(rows: &[(i64, i64)], k: usize) -> bool {
        let (id, at) = rows[k];
        let newest = rows[..k].iter().map(|r| r.1).max().unwrap_or(i64::MIN);
        let older = rows[..k].iter().filter(|r| r.0 <= id - LATE_ROWS).map(|r| r.1).max().unwrap_or(i64::MIN);
        at < newest.saturating_sub(LATE_NS) || at <= older
    }

    #[test]
    fn in_order_rows_are_never_late() {
        let mut a = Arrivals::default();
        for id in 1..100 {
            assert!(!a.is_late(id, id * 10));
            a.push(id, id * 10);
        }
    }

    #[test]
    fn a_row_behind_rows_far_enough_back_is_late_by_the_row_bound() {
        let mut a = Arrivals::default();
        for id in 1..=20 {
            a.push(id, id * 10);
        }
        // Newer than the rows up to id 21 - LATE_ROWS = 13 (130): not late.
        assert!(!a.is_late(21, 131));
        // No newer than them: late, though 70 ns behind the newest (200),
        // far inside the time bound.
        assert!(a.is_late(21, 130));
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_rule_over_the_whole_list(
            steps in proptest::collection::vec((1i64..3, -40i64..40), 1..120),
            before in proptest::prop_oneof![proptest::strategy::Just(i64::MIN), 0i64..50],
        ) {
            // Ids with gaps now and then; times jumping back and forth by
            // up to 40 units of LATE_NS / 16.
            let mut rows = Vec::new();
            let (mut id, mut at) = (100i64, 1_000 * LATE_NS);
            for (gap, dt) in steps {
                id += gap;
                at += dt * (LATE_NS / 16);
                rows.push((id, at));
            }
            // A file whose rows before `rows` had newest time `before`.
            let before = if before == i64::MIN { i64::MIN } else { 1_000 * LATE_NS + before * (LATE_NS / 16) };
            let mut all = vec![(0, before)];
            all.extend(&rows);
            let mut a = Arrivals::resume(before, []);
            for k in 0..rows.len() {
                let want = if before == i64::MIN { plain(&rows, k) } else { plain(&all, k + 1) };
                proptest::prop_assert_eq!(a.is_late(rows[k].0, rows[k].1), want, "row {}", k);
                a.push(rows[k].0, rows[k].1);
            }
        }
    }
}
