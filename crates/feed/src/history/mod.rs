//! The durable history: every normalised event the feed publishes (and
//! every state change it made) goes to an embedded SQLite database (one
//! file, WAL mode) or to PostgreSQL ([`Location`]), written by its own
//! thread in batched transactions, so the live stream never waits on the
//! disk. Kept by age and by size. Read by `GET /history` (pages of events,
//! filtered by the filter language) and `GET /state?at=` (the network at
//! any moment, rebuilt from the newest usable checkpoint plus the events
//! after it). See `docs/history.md`. Its routes are its own ([`router`]).

pub mod http;
mod late;
mod location;
pub mod maintenance;
#[cfg(feature = "postgres")]
pub mod postgres;
mod scan;
mod seek;
mod shared;
pub mod sqlite;
pub mod store;
mod writer;

pub use http::{absent, router};
pub use location::Location;
use location::Readers;
#[cfg(feature = "postgres")]
pub use postgres::Postgres;
pub use sqlite::Sqlite;
pub use store::{ChangePage, HistoryStore, Names, Order, Page, Range, StoreError};

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zitiscope_core::aggregate::{Aggregator, Report};
use zitiscope_core::filter::{Filter, Schema, CHANGE_SCHEMA, EVENT_SCHEMA};
use zitiscope_core::report;
use zitiscope_core::{Store, Timestamp};

/// Given the last of the hub's batches the history holds, the batches
/// after it that it lacks (a replica taking over: see `crate::replica`).
pub type Backlog = Box<dyn FnOnce(u64) -> Result<Vec<Arc<crate::hub::Frame>>, StoreError> + Send>;

/// At most this many queries read the history at once (each reader holds
/// a connection, and may hold a decoded checkpoint: see `seek.rs`).
const READERS: u32 = 4;

/// Where the history lives and how much of it is kept.
#[derive(Clone, Debug)]
pub struct HistoryConfig {
    /// The database.
    pub at: Location,
    /// Events older than this are dropped.
    pub max_age: Duration,
    /// Past this size the oldest events go (a file's oldest tenth,
    /// PostgreSQL's oldest day).
    pub max_bytes: u64,
    /// A checkpoint after this many new events…
    pub checkpoint_events: u64,
    /// …or this long after the last one, whichever comes first.
    pub checkpoint_every: Duration,
    /// Maintenance windows (the config file's `[[maintenance]]`), left out
    /// of availability reports.
    pub maintenance: Vec<Window>,
}

impl HistoryConfig {
    /// Defaults for `at`: 7 days, 1 GiB, a checkpoint every 50,000 events
    /// or 10 minutes.
    pub fn new(at: Location) -> Self {
        HistoryConfig {
            at,
            max_age: Duration::from_secs(7 * 86_400),
            max_bytes: 1 << 30,
            checkpoint_events: 50_000,
            checkpoint_every: Duration::from_secs(600),
            maintenance: Vec::new(),
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
    readers: r2d2::Pool<Readers>,
    /// The sequence number of the last batch the writer dealt with.
    through: tokio::sync::watch::Receiver<u64>,
    /// Its sender, until the writer starts.
    writer: Mutex<Option<tokio::sync::watch::Sender<u64>>>,
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
        let history = History::open(config);
        let restored = history.write(frames, None)?;
        Ok((history, restored))
    }

    /// The history for reading: its readers open on first use, and nothing
    /// writes until [`History::write`] (a replica that follows reads only).
    pub fn open(config: HistoryConfig) -> Arc<History> {
        let (tx, through) = tokio::sync::watch::channel(0);
        let readers = r2d2::Pool::builder()
            .max_size(READERS)
            .min_idle(Some(0))
            .connection_timeout(Duration::from_secs(5))
            .build_unchecked(Readers(config.at.clone()));
        let stats = Arc::new(HistoryStats::default());
        Arc::new(History { config, stats, readers, through, writer: Mutex::new(Some(tx)) })
    }

    /// Opens the database for writing (making its tables), restores the
    /// writer's state from it and starts the writer on `frames`, the hub's
    /// batches, after the `backlog`'s, if any. Returns the restored state.
    /// At most once.
    pub fn write(
        &self,
        frames: tokio::sync::broadcast::Receiver<Arc<crate::hub::Frame>>,
        backlog: Option<Backlog>,
    ) -> std::io::Result<Store> {
        let Some(tx) = self.writer.lock().unwrap_or_else(|p| p.into_inner()).take() else {
            return Err(std::io::Error::other("the history's writer is already running"));
        };
        // The writer's thread opens the database: PostgreSQL's blocking
        // client may not run inside the caller's tokio task.
        let (opened_tx, opened) = std::sync::mpsc::channel();
        let (cfg, writer_stats) = (self.config.clone(), self.stats.clone());
        std::thread::Builder::new().name("history".into()).spawn(move || {
            let open = || -> Result<_, StoreError> {
                let mut db = cfg.at.open()?;
                let (store, max_at) = db.restore()?;
                Ok((db, store, max_at))
            };
            match open() {
                Ok((db, store, max_at)) => {
                    let _ = opened_tx.send(Ok(store.clone()));
                    writer::Writer::new(cfg, writer_stats, store, max_at, tx).run(db, frames, backlog);
                }
                Err(e) => drop(opened_tx.send(Err(e))),
            }
        })?;
        opened
            .recv()
            .unwrap_or_else(|_| Err(StoreError("the writer stopped while opening".into())))
            .map_err(|e| std::io::Error::other(format!("history {}: {e}", self.config.at)))
    }

    /// The sequence number of the last of the hub's batches the writer
    /// dealt with (written, or failed and counted), as it moves: a batch at
    /// or before it is in the history, unless an error was counted.
    pub fn written_through(&self) -> tokio::sync::watch::Receiver<u64> {
        self.through.clone()
    }

    /// Runs `f` on a reader from the pool; again on a fresh one when the
    /// first turned out broken (a pooled connection to a PostgreSQL that
    /// restarted since it was opened fails on first use).
    fn read<R>(&self, mut f: impl FnMut(&mut dyn HistoryStore) -> Result<R, QueryError>) -> Result<R, QueryError> {
        let get = || self.readers.get().map_err(|e| QueryError::Db(format!("no reader: {e}")));
        let mut reader = get()?;
        match f(reader.as_mut()) {
            Err(QueryError::Db(_)) if reader.is_broken() => {
                // Returned broken, the pool drops it and opens another.
                drop(reader);
                f(get()?.as_mut())
            }
            done => done,
        }
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
        let window = |s| Aggregator::new(s, Timestamp(from), Timestamp(to));
        let (agg, _, _) = self.replay_window(from, to, window, |agg, e| agg.observe(e))?;
        Ok(agg.report(top))
    }

    /// Availability over `from..to` (see [`zitiscope_core::report`]): every
    /// node and link whose state the window knew (the nodes `filter`
    /// passes, in the filter language over the list's fields: `attr=eu` is
    /// a group), worst first, with the maintenance windows left out, named
    /// by id (the caller names them).
    pub fn report(&self, from: i64, to: i64, filter: &str) -> Result<report::Report, QueryError> {
        let filter = Filter::parse(filter, &zitiscope_core::filter::NODE_SCHEMA)
            .map_err(|e| QueryError::Bad(format!("filter: {e}")))?;
        let start = |s| report::Timelines::new(s, from);
        let (timelines, read, complete) = self.replay_window(from, to, start, |t, e| t.observe(e))?;
        let range = report::Span::new(from, to);
        let windows = self.windows()?;
        let nodes = timelines.nodes(to);
        let maintenance = maintenance(&windows, &nodes, range);
        let id = |s: &report::Subject| match s {
            report::Subject::Router(id) | report::Subject::Controller(id) | report::Subject::Link(id) => id.clone(),
        };
        let spans = |s: &report::Subject| maintenance.get(s).cloned().unwrap_or_default();
        let known = timelines.known_since();
        let known = |s: &report::Subject| known.get(s).copied().unwrap_or(from);
        let rows = report::rows(report::passing(timelines.finish(), &nodes, &filter), range, spans, id, known);
        Ok(report::Report { range, events: read as u64, complete, rows })
    }

    /// The state at `from` (empty before the history) made into `start`,
    /// then every event of `from..to` in time order handed to `each`, at
    /// most [`AGGREGATE_MAX`] of them. Also how many were read, and
    /// whether that was all of the window.
    fn replay_window<T>(
        &self,
        from: i64,
        to: i64,
        start: impl Fn(Store) -> T,
        mut each: impl FnMut(&mut T, &zitiscope_core::Event),
    ) -> Result<(T, usize, bool), QueryError> {
        self.read(|db| {
            let mut acc = start(db.state_at(from)?.unwrap_or_else(Store::new));
            let all = Filter::default();
            let (mut cursor, mut read) = (None, 0usize);
            loop {
                let range = Range { from, to, order: Order::Oldest, limit: 10_000, cursor };
                let page = db.page(range, &all, &zitiscope_core::export::by_id)?;
                for row in &page.events {
                    each(&mut acc, &row.event);
                }
                read += page.events.len();
                cursor = page.next.as_deref().and_then(parse_cursor);
                if cursor.is_none() || read >= AGGREGATE_MAX {
                    return Ok((acc, read, cursor.is_none()));
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
            "backend": match self.config.at { Location::File(_) => "sqlite", Location::Postgres(_) => "postgres" },
            "at": self.config.at.to_string(),
            "written": n(&s.written),
            "known": n(&s.known),
            "missed_batches": n(&s.missed_batches),
            "errors": n(&s.errors),
            "checkpoints": n(&s.checkpoints),
            "pruned": n(&s.pruned),
            "last_error": *s.last_error.lock().unwrap_or_else(|p| p.into_inner()),
        })
    }

    /// Where the history is kept.
    pub fn location(&self) -> &Location {
        &self.config.at
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

/// A maintenance window (without the `tz` feature, only a once window
/// checks out: a weekly one needs the zone database).
pub use zitiscope_core::report::windows::Window;

/// The maintenance each subject had in `range`.
fn maintenance(
    windows: &[Window],
    rows: &[zitiscope_core::store::NodeRow],
    range: report::Span,
) -> std::collections::BTreeMap<report::Subject, Vec<report::Span>> {
    report::windows::maintenance(windows, rows, range)
}

/// An aggregation or a report reads at most this many events.
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
