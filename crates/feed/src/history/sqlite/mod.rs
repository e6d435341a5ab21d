//! The SQLite [`HistoryStore`]: one file in WAL mode. Its schema, and every
//! statement the writer and the readers run.
//!
//! - `events`: every normalised event, once. `(at, digest)` is unique, so a
//!   feed that restarts and reads the same log again (or an HA copy that
//!   the store already folded) adds nothing: inserts are idempotent.
//! - `changes`: the real state changes the events made, as the store
//!   reported them (a connection up or down, an SDK status, a leader…).
//! - `checkpoints`: the whole store state now and then, with the last event
//!   row it includes and the newest event time in it, so `state_at` replays
//!   only the events after one.
//! - `late`: the rows that arrived behind the times stored before them
//!   (`late.rs` has the rule), so that a replay up to a moment can stop
//!   reading rows in arrival order soon after it (see `seek.rs`).
//!
//! - `records`: what operators make and share (maintenance windows), as
//!   JSON by kind.
//!
//! PostgreSQL's tables (`postgres/`) are these, partitioned by day.

use crate::history::late::{Arrivals, BACKFILL, LATE_NS, LATE_ROWS};
use crate::history::scan;
use crate::history::seek::{restore, state_at, Seeks};
use crate::history::store::{ChangePage, HistoryStore, Names, Page, Range, StoreError, Stored};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::path::Path;
use zitiscope_core::filter::Filter;
use zitiscope_core::store::Change;
use zitiscope_core::store::StateRef;
use zitiscope_core::{Event, Store};

mod rows;

const SCHEMA: &str = "
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = NORMAL;
    CREATE TABLE IF NOT EXISTS events (
        id     INTEGER PRIMARY KEY AUTOINCREMENT,
        at     INTEGER NOT NULL,
        type   TEXT NOT NULL,
        name   TEXT,
        digest INTEGER NOT NULL,
        body   TEXT NOT NULL,
        UNIQUE (at, digest)
    );
    CREATE INDEX IF NOT EXISTS events_at ON events (at, id);
    CREATE TABLE IF NOT EXISTS checkpoints (
        event_id INTEGER PRIMARY KEY,
        max_at   INTEGER NOT NULL,
        state    TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS checkpoints_at ON checkpoints (max_at);
    CREATE TABLE IF NOT EXISTS changes (
        id   INTEGER PRIMARY KEY AUTOINCREMENT,
        at   INTEGER NOT NULL,
        body TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS changes_at ON changes (at, id);
    CREATE TABLE IF NOT EXISTS late (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS records (
        id   INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        at   INTEGER NOT NULL,
        body TEXT NOT NULL
    );
";

/// The schema's version (`PRAGMA user_version`): 1 since `late` exists,
/// 2 since it lists rows by the row bound too ([`LATE_ROWS`]).
pub(super) const VERSION: i64 = 2;

/// Opens (creating if need be) the database for writing.
fn open_writer(path: &Path) -> rusqlite::Result<Connection> {
    let mut db = Connection::open(path)?;
    db.busy_timeout(std::time::Duration::from_secs(5))?;
    db.execute_batch(SCHEMA)?;
    let version: i64 = db.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version < VERSION {
        let tx = db.transaction()?;
        tx.execute(BACKFILL, [LATE_NS, LATE_ROWS])?;
        tx.execute_batch(&format!("PRAGMA user_version = {VERSION}"))?;
        tx.commit()?;
    }
    Ok(db)
}

/// Opens the database for reading (the HTTP handlers): WAL lets readers
/// run while the writer writes.
fn open_reader(path: &Path) -> rusqlite::Result<Connection> {
    let db = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    db.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(db)
}

/// Inserts `events` in one transaction; returns how many were new.
/// `arrivals` is what was stored before, kept up to date: a new row that
/// arrived behind it is listed in `late` too (see `late.rs`).
fn insert(db: &mut Connection, events: &[Event], arrivals: &mut Arrivals) -> rusqlite::Result<usize> {
    let tx = db.transaction()?;
    let mut added = 0;
    // Kept only once the rows are in: an aborted batch leaves it as the
    // rows left it.
    let mut seen = arrivals.clone();
    {
        let mut stmt = tx.prepare_cached(
            "INSERT OR IGNORE INTO events (at, type, name, digest, body) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut late = tx.prepare_cached("INSERT INTO late (id, at) VALUES (?1, ?2)")?;
        for e in events {
            let Stored { body, kind, name, digest } = Stored::of(e);
            if stmt.execute(params![e.at.0, kind, name, digest, body])? == 0 {
                continue;
            }
            added += 1;
            let id = tx.last_insert_rowid();
            if seen.is_late(id, e.at.0) {
                late.execute(params![id, e.at.0])?;
            }
            seen.push(id, e.at.0);
        }
    }
    tx.commit()?;
    *arrivals = seen;
    Ok(added)
}

/// What the writer needs of the rows stored before it opened: the newest
/// time of the rows the row bound no longer looks at (the index on `at`
/// finds it from the top), and the rows it does.
fn arrivals(db: &Connection) -> rusqlite::Result<Arrivals> {
    let from = last_id(db)? - LATE_ROWS;
    let before = db
        .query_row("SELECT at FROM events INDEXED BY events_at WHERE id <= ?1 ORDER BY at DESC LIMIT 1", [from], |r| {
            r.get(0)
        })
        .optional()?
        .unwrap_or(i64::MIN);
    let mut stmt = db.prepare("SELECT id, at FROM events WHERE id > ?1 ORDER BY id")?;
    let rows = stmt.query_map([from], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Arrivals::resume(before, rows))
}

/// The newest event row.
fn last_id(db: &Connection) -> rusqlite::Result<i64> {
    db.query_row("SELECT COALESCE(MAX(id), 0) FROM events", [], |r| r.get(0))
}

/// Saves the store's state as including every row up to `event_id`.
fn checkpoint(db: &Connection, event_id: i64, max_at: i64, state: &StateRef<'_>) -> rusqlite::Result<()> {
    let json = serde_json::to_string(state).expect("states always serialise");
    db.execute(
        "INSERT OR REPLACE INTO checkpoints (event_id, max_at, state) VALUES (?1, ?2, ?3)",
        params![event_id, max_at, json],
    )?;
    Ok(())
}

/// Drops events older than `before` (and checkpoints no longer needed),
/// keeping the newest checkpoint below the cutoff and every row after it,
/// so that any time from the cutoff on can still be rebuilt. Returns the
/// rows dropped.
fn retain(db: &Connection, before: i64) -> rusqlite::Result<usize> {
    let keep: Option<i64> = db
        .query_row(
            "SELECT event_id FROM checkpoints WHERE max_at < ?1 ORDER BY max_at DESC, event_id DESC LIMIT 1",
            [before],
            |r| r.get(0),
        )
        .optional()?;
    let Some(keep) = keep else { return Ok(0) };
    let dropped = db.execute("DELETE FROM events WHERE at < ?1 AND id <= ?2", params![before, keep])?;
    db.execute("DELETE FROM late WHERE at < ?1 AND id <= ?2", params![before, keep])?;
    db.execute("DELETE FROM changes WHERE at < ?1", [before])?;
    db.execute("DELETE FROM checkpoints WHERE event_id < ?1", [keep])?;
    Ok(dropped)
}

/// The database's size in bytes (pages in use).
fn size(db: &Connection) -> rusqlite::Result<u64> {
    let pages: i64 = db.query_row("PRAGMA page_count", [], |r| r.get(0))?;
    let free: i64 = db.query_row("PRAGMA freelist_count", [], |r| r.get(0))?;
    let page: i64 = db.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    Ok(((pages - free).max(0) * page) as u64)
}

/// The event time below which a tenth of the rows lie: the size rule's
/// cutoff.
fn tenth_cutoff(db: &Connection) -> rusqlite::Result<Option<i64>> {
    let n: i64 = db.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))?;
    if n == 0 {
        return Ok(None);
    }
    db.query_row("SELECT at FROM events ORDER BY at LIMIT 1 OFFSET ?1", [n / 10], |r| r.get(0)).optional()
}

/// The history in one SQLite file.
pub struct Sqlite {
    conn: Connection,
    /// The rows stored so far, for the writer's [`insert`].
    arrivals: Arrivals,
    /// A reader's seeks (see [`state_at`]).
    seeks: Seeks,
}

impl Sqlite {
    /// Opens (creating if need be) the file for writing.
    pub fn open(path: &Path) -> Result<Sqlite, StoreError> {
        let conn = open_writer(path).map_err(err)?;
        let arrivals = arrivals(&conn).map_err(err)?;
        Ok(Sqlite { conn, arrivals, seeks: Seeks::default() })
    }

    /// Opens the file for reading only (queries, beside the writer).
    pub fn open_read_only(path: &Path) -> Result<Sqlite, StoreError> {
        Ok(Sqlite { conn: open_reader(path).map_err(err)?, arrivals: Arrivals::default(), seeks: Seeks::default() })
    }
}

fn err(e: rusqlite::Error) -> StoreError {
    StoreError(e.to_string())
}

impl HistoryStore for Sqlite {
    fn records(&mut self, kind: &str) -> Result<Vec<(i64, String)>, StoreError> {
        let mut stmt =
            self.conn.prepare_cached("SELECT id, body FROM records WHERE kind = ?1 ORDER BY id").map_err(err)?;
        let rows = stmt.query_map([kind], |r| Ok((r.get(0)?, r.get(1)?))).map_err(err)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(err)
    }

    fn put_record(&mut self, kind: &str, body: &str) -> Result<i64, StoreError> {
        let at = crate::hub::now().0;
        self.conn
            .execute("INSERT INTO records (kind, at, body) VALUES (?1, ?2, ?3)", params![kind, at, body])
            .map_err(err)?;
        Ok(self.conn.last_insert_rowid())
    }

    fn delete_record(&mut self, kind: &str, id: i64) -> Result<bool, StoreError> {
        let n = self.conn.execute("DELETE FROM records WHERE kind = ?1 AND id = ?2", params![kind, id]).map_err(err)?;
        Ok(n > 0)
    }

    fn insert_changes(&mut self, changes: &[Change]) -> Result<(), StoreError> {
        let tx = self.conn.transaction().map_err(err)?;
        {
            let mut stmt = tx.prepare_cached("INSERT INTO changes (at, body) VALUES (?1, ?2)").map_err(err)?;
            for c in changes {
                let body = serde_json::to_string(c).expect("changes always serialise");
                stmt.execute(params![c.at().0, body]).map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }

    fn changes(&mut self, range: Range, filter: &Filter, names: Names) -> Result<ChangePage, StoreError> {
        scan::changes(&mut self.conn, range, filter, names)
    }

    fn insert(&mut self, events: &[Event]) -> Result<usize, StoreError> {
        insert(&mut self.conn, events, &mut self.arrivals).map_err(err)
    }

    fn checkpoint(&mut self, max_at: i64, state: &StateRef<'_>) -> Result<(), StoreError> {
        let id = last_id(&self.conn).map_err(err)?;
        checkpoint(&self.conn, id, max_at, state).map_err(err)
    }

    fn restore(&mut self) -> Result<(Store, i64), StoreError> {
        restore(&mut self.conn)
    }

    fn state_at(&mut self, at: i64) -> Result<Option<Store>, StoreError> {
        state_at(&mut self.conn, at, &mut self.seeks)
    }

    fn page(&mut self, range: Range, filter: &Filter, names: Names) -> Result<Page, StoreError> {
        scan::page(&mut self.conn, range, filter, names)
    }

    fn retain(&mut self, before: i64) -> Result<usize, StoreError> {
        retain(&self.conn, before).map_err(err)
    }

    fn shrink_to(&mut self, max_bytes: u64) -> Result<usize, StoreError> {
        let mut dropped = 0;
        for _ in 0..10 {
            if size(&self.conn).map_err(err)? <= max_bytes {
                break;
            }
            match tenth_cutoff(&self.conn).map_err(err)? {
                Some(cut) => match retain(&self.conn, cut).map_err(err)? {
                    0 => break,
                    n => dropped += n,
                },
                None => break,
            }
        }
        Ok(dropped)
    }
}
