//! What a seek reads of the PostgreSQL history ([`Rows`] over a client).
//! Rows are streamed (`query_raw`), not gathered first: a replay reads up
//! to a checkpoint's spacing of them.

use super::err;
use crate::history::seek::Rows;
use crate::history::store::StoreError;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::Client;

/// Hands `each` the text of the first column of each row `sql` gives.
fn read_rows(db: &mut Client, sql: &str, params: &[i64], each: &mut dyn FnMut(&str)) -> Result<(), StoreError> {
    let mut rows = db.query_raw(sql, params.iter().map(|p| p as &dyn ToSql)).map_err(err)?;
    while let Some(row) = rows.next().map_err(err)? {
        each(row.try_get(0).map_err(err)?);
    }
    Ok(())
}

impl Rows for Client {
    fn newest_checkpoint(&mut self) -> Result<Option<(i64, i64, String)>, StoreError> {
        let row = self
            .query_opt("SELECT event_id, max_at, state FROM checkpoints ORDER BY event_id DESC LIMIT 1", &[])
            .map_err(err)?;
        Ok(row.map(|r| (r.get(0), r.get(1), r.get(2))))
    }

    fn checkpoint_before(&mut self, at: i64, held: i64) -> Result<Option<(i64, Option<String>)>, StoreError> {
        let row = self
            .query_opt(
                "SELECT event_id, CASE WHEN event_id = $2 THEN NULL ELSE state END FROM checkpoints
                 WHERE max_at <= $1 ORDER BY max_at DESC, event_id DESC LIMIT 1",
                &[&at, &held],
            )
            .map_err(err)?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    fn events(
        &mut self,
        after: i64,
        through: Option<i64>,
        until: i64,
        each: &mut dyn FnMut(&str),
    ) -> Result<(), StoreError> {
        let sql = "SELECT body FROM events WHERE id > $1 AND id <= $2 AND at <= $3 ORDER BY id";
        read_rows(self, sql, &[after, through.unwrap_or(i64::MAX), until], each)
    }

    fn late(&mut self, after: i64, until: i64, each: &mut dyn FnMut(&str)) -> Result<(), StoreError> {
        let sql = "SELECT e.body FROM late l JOIN events e ON e.id = l.id AND e.at = l.at
                   WHERE l.id > $1 AND l.at <= $2 ORDER BY l.id";
        read_rows(self, sql, &[after, until], each)
    }

    fn first_past(&mut self, t: i64) -> Result<Option<i64>, StoreError> {
        let row = self
            .query_one("SELECT MIN(id) FROM (SELECT id FROM events WHERE at > $1 ORDER BY at, id LIMIT 64) s", &[&t])
            .map_err(err)?;
        Ok(row.get(0))
    }

    fn has_row_bound(&mut self) -> Result<bool, StoreError> {
        // `late` lists by both bounds since the first PostgreSQL history.
        Ok(true)
    }

    fn whole_from(&mut self) -> Result<Option<i64>, StoreError> {
        let row = self
            .query_one(
                "SELECT (SELECT MIN(at) FROM events),
                        COALESCE((SELECT value FROM history_meta WHERE key = 'dropped'), 0)",
                &[],
            )
            .map_err(err)?;
        let (first, dropped): (Option<i64>, i64) = (row.get(0), row.get(1));
        Ok(first.filter(|_| dropped == 0))
    }
}
