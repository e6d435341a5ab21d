//! The PostgreSQL [`HistoryStore`] (`--history postgres://…`): the same
//! tables and rules as SQLite's (`sqlite/mod.rs`), partitioned by day
//! (`schema.rs`), written in one statement a table per batch (arrays
//! `unnest`ed into a multi-row `INSERT … ON CONFLICT DO NOTHING`).
//!
//! rust-postgres' blocking client: the writer is a thread of its own and
//! the readers run on tokio's blocking pool, neither inside a task (the
//! client runs a small runtime of its own for each call).

mod rows;
mod schema;

use super::late::{Arrivals, LATE_ROWS};
use super::scan::{self, range_params, range_sql, Ranges};
use super::seek::{restore, state_at, Seeks};
use super::store::{ChangePage, HistoryStore, Names, Page, Range, StoreError, Stored};
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::{Client, GenericClient, NoTls};
use schema::{day_of, start_of, Partitions, SCHEMA};
use std::collections::HashSet;
use zitiscope_core::filter::Filter;
use zitiscope_core::store::{Change, StateRef};
use zitiscope_core::{Event, Store};

fn err(e: postgres::Error) -> StoreError {
    // The server's own words (`db error: …` hides them behind `source`).
    match e.as_db_error() {
        Some(db) => StoreError(format!("postgres: {}: {}", db.code().code(), db.message())),
        None => StoreError(format!("postgres: {e}")),
    }
}

/// The lock the writers of one database take while they make the schema:
/// two feeds starting at once would both try to create the same tables.
const SCHEMA_LOCK: i64 = 0x7a69_7469_7363_6f01; // "zitisco" + 1

/// `n` new ids from `seq`, in order.
fn next_ids(db: &mut impl GenericClient, seq: &str, n: usize) -> Result<Vec<i64>, postgres::Error> {
    let rows = db.query(&format!("SELECT nextval('{seq}') FROM generate_series(1, $1::int8)"), &[&(n as i64)])?;
    let mut ids: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    ids.sort_unstable();
    Ok(ids)
}

/// The history in a PostgreSQL database.
pub struct Postgres {
    client: Conn,
    /// The rows stored so far, for the writer's inserts (see `late.rs`).
    arrivals: Arrivals,
    /// The days that have partitions (the writer's).
    partitions: Partitions,
    /// A reader's seeks (see `seek.rs`).
    seeks: Seeks,
}

/// A blocking client that may be dropped anywhere. Its close blocks on a
/// runtime of its own, which panics inside another: so a client dropped
/// inside tokio (the readers' pool, when the last task holding the
/// history ends at shutdown) closes on a thread of its own.
struct Conn(Option<Client>);

impl std::ops::Deref for Conn {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.0.as_ref().expect("open until dropped")
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Client {
        self.0.as_mut().expect("open until dropped")
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        if let Some(client) = self.0.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                std::thread::spawn(move || drop(client));
            }
        }
    }
}

impl Postgres {
    /// Connects to `url` as the writer, making the schema if need be.
    pub fn open(url: &str) -> Result<Postgres, StoreError> {
        let mut client = Client::connect(url, NoTls).map_err(err)?;
        let mut tx = client.transaction().map_err(err)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK]).map_err(err)?;
        tx.batch_execute(SCHEMA).map_err(err)?;
        tx.commit().map_err(err)?;
        let arrivals = arrivals(&mut client).map_err(err)?;
        let partitions = Partitions::load(&mut client).map_err(err)?;
        Ok(Postgres { client: Conn(Some(client)), arrivals, partitions, seeks: Seeks::default() })
    }

    /// Connects to `url` for reading only (queries, beside the writer).
    pub fn open_read_only(url: &str) -> Result<Postgres, StoreError> {
        let mut client = Client::connect(url, NoTls).map_err(err)?;
        client.batch_execute("SET default_transaction_read_only = on").map_err(err)?;
        Ok(Postgres {
            client: Conn(Some(client)),
            arrivals: Arrivals::default(),
            partitions: Partitions::default(),
            seeks: Seeks::default(),
        })
    }

    /// Drops events before `before` that the newest checkpoint before it
    /// holds: whole days where it holds all of a day's, rows otherwise.
    fn drop_before(&mut self, before: i64) -> Result<usize, postgres::Error> {
        let keep: Option<i64> = self
            .client
            .query_opt(
                "SELECT event_id FROM checkpoints WHERE max_at < $1 ORDER BY max_at DESC, event_id DESC LIMIT 1",
                &[&before],
            )?
            .map(|r| r.get(0));
        let Some(keep) = keep else { return Ok(0) };
        let mut tx = self.client.transaction()?;
        let mut dropped = self.partitions.drop_before(&mut tx, before, keep)?;
        dropped += tx.execute("DELETE FROM events WHERE at < $1 AND id <= $2", &[&before, &keep])? as usize;
        tx.execute("DELETE FROM late WHERE at < $1 AND id <= $2", &[&before, &keep])?;
        tx.execute("DELETE FROM changes WHERE at < $1", &[&before])?;
        tx.execute("DELETE FROM checkpoints WHERE event_id < $1", &[&keep])?;
        if dropped > 0 {
            tx.execute(
                "INSERT INTO history_meta (key, value) VALUES ('dropped', 1) ON CONFLICT (key) DO UPDATE SET value = 1",
                &[],
            )?;
        }
        tx.commit()?;
        Ok(dropped)
    }

    /// The bytes the history's tables take, indexes and TOAST included.
    fn size(&mut self) -> Result<u64, postgres::Error> {
        let row = self.client.query_one(
            "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::int8 FROM pg_class c
             WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
               AND (c.relname IN ('checkpoints', 'late', 'history_meta')
                    OR c.relname ~ '^(events|changes)_[0-9]{8,}$')",
            &[],
        )?;
        Ok(row.get::<_, i64>(0).max(0) as u64)
    }
}

/// See `sqlite.rs`'s `arrivals`.
fn arrivals(db: &mut Client) -> Result<Arrivals, postgres::Error> {
    let last: i64 = db.query_one("SELECT COALESCE(MAX(id), 0) FROM events", &[])?.get(0);
    let from = last - LATE_ROWS;
    let before = db
        .query_opt("SELECT at FROM events WHERE id <= $1 ORDER BY at DESC LIMIT 1", &[&from])?
        .map_or(i64::MIN, |r| r.get(0));
    let rows = db.query("SELECT id, at FROM events WHERE id > $1 ORDER BY id", &[&from])?;
    Ok(Arrivals::resume(before, rows.iter().map(|r| (r.get(0), r.get(1)))))
}

/// Inserts `events` in one transaction; returns how many were new. See
/// `sqlite.rs`'s `insert` for `arrivals`.
fn insert(
    db: &mut Client,
    partitions: &mut Partitions,
    events: &[Event],
    arrivals: &mut Arrivals,
) -> Result<usize, postgres::Error> {
    if events.is_empty() {
        return Ok(0);
    }
    let mut tx = db.transaction()?;
    partitions.ensure(&mut tx, events.iter().map(|e| day_of(e.at.0)))?;
    let ids = next_ids(&mut tx, "events_id_seq", events.len())?;
    let (mut at, mut kind, mut name, mut digest, mut body) = (vec![], vec![], vec![], vec![], vec![]);
    for e in events {
        let s = Stored::of(e);
        at.push(e.at.0);
        kind.push(s.kind);
        name.push(s.name);
        digest.push(s.digest);
        body.push(s.body);
    }
    let stored: HashSet<i64> = tx
        .query(
            "INSERT INTO events (id, at, type, name, digest, body)
             SELECT * FROM unnest($1::int8[], $2::int8[], $3::text[], $4::text[], $5::int8[], $6::text[])
             ON CONFLICT (at, digest) DO NOTHING RETURNING id",
            &[&ids, &at, &kind, &name, &digest, &body],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    // Kept only once the rows are in: an aborted batch leaves it as the
    // rows left it.
    let mut seen = arrivals.clone();
    let (mut late_ids, mut late_at) = (vec![], vec![]);
    for (&id, &t) in ids.iter().zip(&at).filter(|(id, _)| stored.contains(id)) {
        if seen.is_late(id, t) {
            late_ids.push(id);
            late_at.push(t);
        }
        seen.push(id, t);
    }
    if !late_ids.is_empty() {
        tx.execute("INSERT INTO late (id, at) SELECT * FROM unnest($1::int8[], $2::int8[])", &[&late_ids, &late_at])?;
    }
    tx.commit()?;
    *arrivals = seen;
    Ok(stored.len())
}

impl Ranges for Client {
    fn range(
        &mut self,
        table: &'static str,
        range: Range,
        each: &mut dyn FnMut(i64, i64, &str) -> bool,
    ) -> Result<(), StoreError> {
        let params = range_params(range);
        let mut rows =
            self.query_raw(&range_sql(table, range.order), params.iter().map(|p| p as &dyn ToSql)).map_err(err)?;
        while let Some(row) = rows.next().map_err(err)? {
            if !each(row.get(0), row.get(1), row.try_get(2).map_err(err)?) {
                break;
            }
        }
        Ok(())
    }
}

impl HistoryStore for Postgres {
    fn insert(&mut self, events: &[Event]) -> Result<usize, StoreError> {
        insert(&mut self.client, &mut self.partitions, events, &mut self.arrivals).map_err(err)
    }

    fn insert_changes(&mut self, changes: &[Change]) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        let run = |db: &mut Client, partitions: &mut Partitions| -> Result<(), postgres::Error> {
            let mut tx = db.transaction()?;
            partitions.ensure(&mut tx, changes.iter().map(|c| day_of(c.at().0)))?;
            let ids = next_ids(&mut tx, "changes_id_seq", changes.len())?;
            let at: Vec<i64> = changes.iter().map(|c| c.at().0).collect();
            let body: Vec<String> =
                changes.iter().map(|c| serde_json::to_string(c).expect("changes always serialise")).collect();
            tx.execute(
                "INSERT INTO changes (id, at, body) SELECT * FROM unnest($1::int8[], $2::int8[], $3::text[])",
                &[&ids, &at, &body],
            )?;
            tx.commit()
        };
        run(&mut self.client, &mut self.partitions).map_err(err)
    }

    fn checkpoint(&mut self, max_at: i64, state: &StateRef<'_>) -> Result<(), StoreError> {
        let json = serde_json::to_string(state).expect("states always serialise");
        let id: i64 = self.client.query_one("SELECT COALESCE(MAX(id), 0) FROM events", &[]).map_err(err)?.get(0);
        self.client
            .execute(
                "INSERT INTO checkpoints (event_id, max_at, state) VALUES ($1, $2, $3)
                 ON CONFLICT (event_id) DO UPDATE SET max_at = excluded.max_at, state = excluded.state",
                &[&id, &max_at, &json],
            )
            .map_err(err)?;
        Ok(())
    }

    fn restore(&mut self) -> Result<(Store, i64), StoreError> {
        restore(&mut *self.client)
    }

    fn state_at(&mut self, at: i64) -> Result<Option<Store>, StoreError> {
        state_at(&mut *self.client, at, &mut self.seeks)
    }

    fn page(&mut self, range: Range, filter: &Filter, names: Names) -> Result<Page, StoreError> {
        scan::page(&mut *self.client, range, filter, names)
    }

    fn changes(&mut self, range: Range, filter: &Filter, names: Names) -> Result<ChangePage, StoreError> {
        scan::changes(&mut *self.client, range, filter, names)
    }

    fn retain(&mut self, before: i64) -> Result<usize, StoreError> {
        self.drop_before(before).map_err(err)
    }

    /// Drops the oldest day while the tables are over `max_bytes`, never
    /// the newest one: a deleted row's space goes back to PostgreSQL only
    /// at a VACUUM, so the size bound works by whole days here (the age
    /// bound is the one to set; see `docs/history.md`).
    fn shrink_to(&mut self, max_bytes: u64) -> Result<usize, StoreError> {
        let mut dropped = 0;
        for _ in 0..10 {
            if self.size().map_err(err)? <= max_bytes {
                break;
            }
            let Some(end) = self.partitions.oldest_but_newest().and_then(|day| start_of(day + 1)) else { break };
            match self.drop_before(end).map_err(err)? {
                0 => break,
                n => dropped += n,
            }
        }
        Ok(dropped)
    }

    fn is_broken(&self) -> bool {
        self.client.is_closed()
    }

    fn records(&mut self, kind: &str) -> Result<Vec<(i64, String)>, StoreError> {
        let rows =
            self.client.query("SELECT id, body FROM records WHERE kind = $1 ORDER BY id", &[&kind]).map_err(err)?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    fn put_record(&mut self, kind: &str, body: &str) -> Result<i64, StoreError> {
        let at = crate::hub::now().0;
        let row = self
            .client
            .query_one("INSERT INTO records (kind, at, body) VALUES ($1, $2, $3) RETURNING id", &[&kind, &at, &body])
            .map_err(err)?;
        Ok(row.get(0))
    }

    fn delete_record(&mut self, kind: &str, id: i64) -> Result<bool, StoreError> {
        let n = self.client.execute("DELETE FROM records WHERE kind = $1 AND id = $2", &[&kind, &id]).map_err(err)?;
        Ok(n > 0)
    }

    fn written_batch(&mut self) -> Result<u64, StoreError> {
        let row = self.client.query_opt("SELECT value FROM history_meta WHERE key = 'batch'", &[]).map_err(err)?;
        Ok(row.map_or(0, |r| r.get::<_, i64>(0).max(0) as u64))
    }

    fn mark_batch(&mut self, seq: u64) -> Result<(), StoreError> {
        self.client
            .execute(
                "INSERT INTO history_meta (key, value) VALUES ('batch', $1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&(seq as i64)],
            )
            .map_err(err)?;
        Ok(())
    }
}
