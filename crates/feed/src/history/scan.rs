//! Reading a page of rows (`GET /history`, `GET /changes`), the same on
//! either backend: the query that reads a [`Range`], and the rule for when
//! a page stops and where the next one starts.

use super::store::{ChangePage, ChangeRow, Names, Order, Page, Range, Row, StoreError, SCAN_MAX};
use zitiscope_core::filter::{Filter, Named, NamedEvent};
use zitiscope_core::store::Change;
use zitiscope_core::Event;

/// What a page reads of a backend.
pub(super) trait Ranges {
    /// Hands `each` the `(id, at, body)` rows of `table` in `range`, as
    /// [`range_sql`] reads them, until it returns `false`.
    fn range(
        &mut self,
        table: &'static str,
        range: Range,
        each: &mut dyn FnMut(i64, i64, &str) -> bool,
    ) -> Result<(), StoreError>;
}

/// See [`super::HistoryStore::page`].
pub(super) fn page(db: &mut dyn Ranges, range: Range, filter: &Filter, names: Names) -> Result<Page, StoreError> {
    let (events, next, scanned) = scan(db, "events", range, |id, body| {
        let event = serde_json::from_str::<Event>(body).ok()?;
        filter.matches(&NamedEvent { event: &event, names }).then_some(Row { id, event })
    })?;
    Ok(Page { events, next, scanned })
}

/// See [`super::HistoryStore::changes`].
pub(super) fn changes(
    db: &mut dyn Ranges,
    range: Range,
    filter: &Filter,
    names: Names,
) -> Result<ChangePage, StoreError> {
    let label = |c: &Change| c.label_with(names);
    let (changes, next, _) = scan(db, "changes", range, |id, body| {
        let change = serde_json::from_str::<Change>(body).ok()?;
        filter.matches(&Named { change: &change, label: &label }).then(|| ChangeRow {
            id,
            label: label(&change),
            change,
        })
    })?;
    Ok(ChangePage { changes, next })
}

/// Reads `table`'s rows in `range` until `range.limit` of them are taken
/// (`take` turns a row into what the page holds, or skips it) or the
/// query's [`SCAN_MAX`] rows are read. Returns what was taken, the cursor
/// to go on from (when more may follow), and how many rows were read.
fn scan<R>(
    db: &mut dyn Ranges,
    table: &'static str,
    range: Range,
    mut take: impl FnMut(i64, &str) -> Option<R>,
) -> Result<(Vec<R>, Option<String>, u64), StoreError> {
    let (mut out, mut scanned, mut last) = (Vec::new(), 0, None);
    db.range(table, range, &mut |id, at, body| {
        scanned += 1;
        last = Some((at, id));
        if let Some(r) = take(id, body) {
            out.push(r);
        }
        out.len() < range.limit
    })?;
    // More may follow a full page, or a read that stopped at its bound.
    let more = out.len() >= range.limit || scanned >= SCAN_MAX;
    Ok((out, more.then(|| last.map(|(at, id)| format!("{at}:{id}"))).flatten(), scanned))
}

/// The query reading the `(id, at, body)` rows of `table` in a range, ties
/// by row: `$1 <= at < $2`, after the cursor `($3, $4)`, at most `$5` rows
/// (SQLite takes the same text with `?` for `$`).
pub(super) fn range_sql(table: &str, order: Order) -> String {
    let (after, sort) = match order {
        Order::Oldest => ("at > $3 OR (at = $3 AND id > $4)", "at, id"),
        Order::Newest => ("at < $3 OR (at = $3 AND id < $4)", "at DESC, id DESC"),
    };
    format!("SELECT id, at, body FROM {table} WHERE at >= $1 AND at < $2 AND ({after}) ORDER BY {sort} LIMIT $5")
}

/// The query's parameters for `range`: from, to, the cursor's time and
/// row, and the bound on the rows read.
pub(super) fn range_params(Range { from, to, order, cursor, .. }: Range) -> [i64; 5] {
    let start = match order {
        Order::Oldest => (i64::MIN, i64::MIN),
        Order::Newest => (i64::MAX, i64::MAX),
    };
    let (c_at, c_id) = cursor.unwrap_or(start);
    [from, to, c_at, c_id, SCAN_MAX as i64]
}
