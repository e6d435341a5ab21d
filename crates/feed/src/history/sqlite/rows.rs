//! What a seek ([`Rows`]) and a page ([`Ranges`]) read of the SQLite file.

use super::VERSION;
use crate::history::scan::{range_params, range_sql, Ranges};
use crate::history::seek::Rows;
use crate::history::store::{Range, StoreError};
use rusqlite::{params, Connection, OptionalExtension};

fn err(e: rusqlite::Error) -> StoreError {
    StoreError(e.to_string())
}

/// Hands `each` the text of the first column of each row `stmt` gives, in
/// order, borrowed.
fn read_rows(
    stmt: &mut rusqlite::Statement<'_>,
    params: impl rusqlite::Params,
    each: &mut dyn FnMut(&str),
) -> rusqlite::Result<()> {
    let mut rows = stmt.query(params)?;
    while let Some(row) = rows.next()? {
        let body = row
            .get_ref(0)?
            .as_str()
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.into()))?;
        each(body);
    }
    Ok(())
}

impl Rows for Connection {
    fn newest_checkpoint(&mut self) -> Result<Option<(i64, i64, String)>, StoreError> {
        self.query_row("SELECT event_id, max_at, state FROM checkpoints ORDER BY event_id DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()
        .map_err(err)
    }

    fn checkpoint_before(&mut self, at: i64, held: i64) -> Result<Option<(i64, Option<String>)>, StoreError> {
        self.query_row(
            "SELECT event_id, CASE WHEN event_id = ?2 THEN NULL ELSE state END FROM checkpoints
             WHERE max_at <= ?1 ORDER BY max_at DESC, event_id DESC LIMIT 1",
            [at, held],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(err)
    }

    fn events(
        &mut self,
        after: i64,
        through: Option<i64>,
        until: i64,
        each: &mut dyn FnMut(&str),
    ) -> Result<(), StoreError> {
        let mut stmt = self
            .prepare_cached("SELECT body FROM events WHERE id > ?1 AND id <= ?2 AND at <= ?3 ORDER BY id")
            .map_err(err)?;
        read_rows(&mut stmt, params![after, through.unwrap_or(i64::MAX), until], each).map_err(err)
    }

    fn late(&mut self, after: i64, until: i64, each: &mut dyn FnMut(&str)) -> Result<(), StoreError> {
        let mut stmt = self
            .prepare_cached(
                "SELECT e.body FROM late l JOIN events e ON e.id = l.id WHERE l.id > ?1 AND l.at <= ?2 ORDER BY l.id",
            )
            .map_err(err)?;
        read_rows(&mut stmt, params![after, until], each).map_err(err)
    }

    fn first_past(&mut self, t: i64) -> Result<Option<i64>, StoreError> {
        self.query_row("SELECT MIN(id) FROM (SELECT id FROM events WHERE at > ?1 ORDER BY at, id LIMIT 64)", [t], |r| {
            r.get(0)
        })
        .map_err(err)
    }

    fn has_row_bound(&mut self) -> Result<bool, StoreError> {
        let version: i64 = self.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(err)?;
        Ok(version >= VERSION)
    }

    fn whole_from(&mut self) -> Result<Option<i64>, StoreError> {
        // Row ids are never reused: a first row that is not 1 was dropped.
        let (first_id, first_at): (Option<i64>, Option<i64>) =
            self.query_row("SELECT MIN(id), MIN(at) FROM events", [], |r| Ok((r.get(0)?, r.get(1)?))).map_err(err)?;
        Ok(first_at.filter(|_| first_id == Some(1)))
    }
}

impl Ranges for Connection {
    fn range(
        &mut self,
        table: &'static str,
        range: Range,
        each: &mut dyn FnMut(i64, i64, &str) -> bool,
    ) -> Result<(), StoreError> {
        let mut stmt = self.prepare_cached(&range_sql(table, range.order).replace('$', "?")).map_err(err)?;
        let mut rows = stmt.query(range_params(range)).map_err(err)?;
        while let Some(row) = rows.next().map_err(err)? {
            let text = row.get_ref(2).map_err(err)?;
            let body = text.as_str().map_err(|e| StoreError(e.to_string()))?;
            if !each(row.get(0).map_err(err)?, row.get(1).map_err(err)?, body) {
                break;
            }
        }
        Ok(())
    }
}
