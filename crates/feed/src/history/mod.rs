//! The durable history: every normalised event the feed publishes (and
//! every state change it made) goes to
//! an embedded SQLite database (one file, WAL mode), written by its own
//! thread in batched transactions, so the live stream never waits on the
//! disk. Kept by age and by size. Read by `GET /history` (pages of events,
//! filtered by the filter language) and `GET /state?at=` (the network at
//! any moment, rebuilt from the newest usable checkpoint plus the events
//! after it). See `docs/history.md`. Its routes are its own ([`router`]).

pub mod http;
mod late;
mod seek;
pub mod sqlite;
pub mod store;
mod writer;

pub use http::{absent, router};
pub use sqlite::Sqlite;
pub use store::{ChangePage, HistoryStore, Names, Order, Page, Range, StoreError};

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zitiscope_core::aggregate::{Aggregator, Report};
use zitiscope_core::filter::{Filter, Schema, CHANGE_SCHEMA, EVENT_SCHEMA};
use zitiscope_core::{Store, Timestamp};

/// Where the history lives and how much of it is kept.
#[derive(Clone, Debug)]
pub struct HistoryConfig {
    /// The database file.
    pub path: PathBuf,
    /// Events older than this are dropped.
    pub max_age: Duration,
    /// Past this size the oldest tenth of the events is dropped.
    pub max_bytes: u64,
    /// A checkpoint after this many new events…
    pub checkpoint_events: u64,
    /// …or this long after the last one, whichever comes first.
    pub checkpoint_every: Duration,
}

impl HistoryConfig {
    /// Defaults for `path`: 7 days, 1 GiB, a checkpoint every 50,000 events
    /// or 10 minutes.
    pub fn new(path: PathBuf) -> Self {
        HistoryConfig {
            path,
            max_age: Duration::from_secs(7 * 86_400),
            max_bytes: 1 << 30,
            checkpoint_events: 50_000,
            checkpoint_every: Duration::from_secs(600),
        }
    }
}

/// What the writer did, for `/metrics` and `/healthz`.
#[derive(Debug, Default)]
pub struct HistoryStats {
    /// Events written (new rows).
    pub written: AtomicU64,
    /// Events already there (a restart re-reading a log): not written again.
    pub known: AtomicU64,
    /// Batches the writer fell too far behind to receive. Never expected;
    /// counted so that a gap is visible.
    pub missed_batches: AtomicU64,
    /// Write errors (the disk is full, the file was removed…).
    pub errors: AtomicU64,
    pub checkpoints: AtomicU64,
    /// Rows dropped by retention.
    pub pruned: AtomicU64,
    pub last_error: Mutex<Option<String>>,
}

/// The running history: its writer thread and a reader for queries.
pub struct History {
    config: HistoryConfig,
    pub stats: Arc<HistoryStats>,
    reader: Mutex<Option<Box<dyn HistoryStore>>>,
    /// The sequence number of the last batch the writer dealt with.
    through: tokio::sync::watch::Receiver<u64>,
}

/// A history request that cannot be answered as asked.
#[derive(Debug)]
pub enum QueryError {
    /// The request is wrong (a bad filter, cursor or time): 400.
    Bad(String),
    /// The database failed: 500.
    Db(String),
}

impl From<StoreError> for QueryError {
    fn from(e: StoreError) -> Self {
        QueryError::Db(e.0)
    }
}

impl History {
    /// Opens (or creates) the database, restores the writer's state from it
    /// and starts the writer on `frames`, the hub's batches. Also returns
    /// the restored state: a feed that restarts continues from it, since a
    /// source that acknowledges what it read (`amqp`) or streams only what
    /// happens from now on (`exec`) will not give the past again.
    pub fn start(
        config: HistoryConfig,
        frames: tokio::sync::broadcast::Receiver<Arc<crate::hub::Frame>>,
    ) -> std::io::Result<(Arc<History>, Store)> {
        let io = |e: StoreError| std::io::Error::other(format!("history {}: {e}", config.path.display()));
        let mut db: Box<dyn HistoryStore> = Box::new(Sqlite::open(&config.path).map_err(io)?);
        let (store, max_at) = db.restore().map_err(io)?;
        let restored = store.clone();
        let stats = Arc::new(HistoryStats::default());
        let (tx, through) = tokio::sync::watch::channel(0);
        let w = writer::Writer::new(config.clone(), stats.clone(), store, max_at, tx);
        // The schema exists now; the reader opens on first use (read-only).
        std::thread::Builder::new().name("history".into()).spawn(move || w.run(db.as_mut(), frames))?;
        Ok((Arc::new(History { config, stats, reader: Mutex::new(None), through }), restored))
    }

    /// The sequence number of the last of the hub's batches the writer
    /// dealt with (written, or failed and counted), as it moves: a batch at
    /// or before it is in the history, unless an error was counted.
    pub fn written_through(&self) -> tokio::sync::watch::Receiver<u64> {
        self.through.clone()
    }

    /// Runs `f` on the reader connection (opened on first use).
    fn read<R>(&self, f: impl FnOnce(&mut dyn HistoryStore) -> Result<R, QueryError>) -> Result<R, QueryError> {
        let mut guard = self.reader.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            *guard = Some(Box::new(Sqlite::open_read_only(&self.config.path)?));
        }
        f(guard.as_mut().expect("opened above").as_mut())
    }

    /// A page of events (see [`HistoryStore::page`]); the filter is in the
    /// filter language over the event fields, and finds entities by id or
    /// by the name `names` gives.
    pub fn page(&self, ask: &Ask<'_>, names: Names) -> Result<Page, QueryError> {
        let (range, filter) = ask.resolve(&EVENT_SCHEMA)?;
        self.read(|db| Ok(db.page(range, &filter, names)?))
    }

    /// The aggregation of `from..to` (see [`zitiscope_core::aggregate`]):
    /// the state at `from`, then every event of the window in time order,
    /// at most [`AGGREGATE_MAX`] of them (`events` in the report says how
    /// many were read).
    pub fn aggregate(&self, from: i64, to: i64, top: usize) -> Result<Report, QueryError> {
        self.read(|db| {
            let start = db.state_at(from)?.unwrap_or_else(Store::new);
            let mut agg = Aggregator::new(start, Timestamp(from), Timestamp(to));
            let all = Filter::default();
            let (mut cursor, mut read) = (None, 0usize);
            loop {
                let range = Range { from, to, order: Order::Oldest, limit: 10_000, cursor };
                let page = db.page(range, &all, &zitiscope_core::export::by_id)?;
                for row in &page.events {
                    agg.observe(&row.event);
                }
                read += page.events.len();
                cursor = page.next.as_deref().and_then(parse_cursor);
                if cursor.is_none() || read >= AGGREGATE_MAX {
                    return Ok(agg.report(top));
                }
            }
        })
    }

    /// A page of the stored state changes; the filter is in the filter
    /// language over the change fields.
    pub fn changes(&self, ask: &Ask<'_>, names: Names) -> Result<ChangePage, QueryError> {
        let (range, filter) = ask.resolve(&CHANGE_SCHEMA)?;
        self.read(|db| Ok(db.changes(range, &filter, names)?))
    }

    /// The network at `at` (ns), or `None` before what the history holds.
    pub fn state_at(&self, at: i64) -> Result<Option<Store>, QueryError> {
        self.read(|db| Ok(db.state_at(at)?))
    }

    /// The writer's counters, for `/healthz`.
    pub fn health(&self) -> serde_json::Value {
        let s = &self.stats;
        let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
        serde_json::json!({
            "written": n(&s.written),
            "known": n(&s.known),
            "missed_batches": n(&s.missed_batches),
            "errors": n(&s.errors),
            "checkpoints": n(&s.checkpoints),
            "pruned": n(&s.pruned),
            "last_error": *s.last_error.lock().unwrap_or_else(|p| p.into_inner()),
        })
    }

    /// The database file.
    pub fn path(&self) -> &std::path::Path {
        &self.config.path
    }
}

/// A page as a query asks for it: the filter's text and the cursor as a
/// page's `next` gave it.
#[derive(Clone, Copy, Debug)]
pub struct Ask<'a> {
    pub from: i64,
    pub to: i64,
    pub order: Order,
    pub limit: usize,
    pub cursor: Option<&'a str>,
    pub filter: &'a str,
}

impl Ask<'_> {
    /// The rows to read and the filter, or why the query is not a good one.
    fn resolve(&self, schema: &Schema) -> Result<(Range, Filter), QueryError> {
        let filter = Filter::parse(self.filter, schema).map_err(|e| QueryError::Bad(format!("filter: {e}")))?;
        let cursor = self.cursor.map(cursor_of).transpose()?;
        Ok((Range { from: self.from, to: self.to, order: self.order, limit: self.limit, cursor }, filter))
    }
}

/// A cursor from a query, or the error saying it is not one.
fn cursor_of(c: &str) -> Result<(i64, i64), QueryError> {
    parse_cursor(c).ok_or_else(|| QueryError::Bad("cursor: not one this feed gave".into()))
}

/// A page's `next` (`<at>:<id>`) as `(at, id)`.
fn parse_cursor(c: &str) -> Option<(i64, i64)> {
    let (at, id) = c.split_once(':')?;
    Some((at.parse().ok()?, id.parse().ok()?))
}

/// An aggregation reads at most this many events.
pub const AGGREGATE_MAX: usize = 2_000_000;

/// Counts one failure and keeps its reason.
fn failed(stats: &HistoryStats, what: &str, e: impl std::fmt::Display) {
    stats.errors.fetch_add(1, Ordering::Relaxed);
    let msg = format!("{what}: {e}");
    tracing::error!(target: "zitiscope::history", "{msg}");
    *stats.last_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(msg);
}

#[cfg(test)]
mod tests;
