//! The history's storage, behind one trait: SQLite ([`super::sqlite`], the
//! default) or PostgreSQL ([`super::postgres`], for a site with more scale
//! or several feeds); nothing else knows which (see `docs/history.md`).

use sha2::{Digest, Sha256};
use zitiscope_core::filter::{Filter, Subject, Value};
use zitiscope_core::store::{Change, ChangeLabel, StateRef};
use zitiscope_core::{EntityType, Event, Store};

/// A storage failure, as text (each backend has its own error type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

/// Where the history is kept. Times are integer ns since the epoch.
pub trait HistoryStore: Send {
    /// Stores `events`, each once: an event already stored (same time and
    /// content) is skipped. Returns how many were new.
    fn insert(&mut self, events: &[Event]) -> Result<usize, StoreError>;
    /// Saves `state` as including every event stored so far, the newest of
    /// which happened at `max_at`.
    fn checkpoint(&mut self, max_at: i64, state: &StateRef<'_>) -> Result<(), StoreError>;
    /// The store with every stored event applied (the newest checkpoint
    /// plus what came after it), and the newest event time in it.
    fn restore(&mut self) -> Result<(Store, i64), StoreError>;
    /// The network at `at`: every stored event at or before it applied.
    /// `None` when `at` is before what can be rebuilt.
    fn state_at(&mut self, at: i64) -> Result<Option<Store>, StoreError>;
    /// Stored events in `range` passing `filter`, reading at most
    /// [`SCAN_MAX`] rows; the filter finds entities by id or by the name
    /// `names` gives.
    fn page(&mut self, range: Range, filter: &Filter, names: Names) -> Result<Page, StoreError>;
    /// Drops events before `before` that a checkpoint already holds, so
    /// that every moment from `before` on can still be rebuilt. Returns the
    /// events dropped.
    fn retain(&mut self, before: i64) -> Result<usize, StoreError>;
    /// Drops the oldest events until the store is under `max_bytes`.
    fn shrink_to(&mut self, max_bytes: u64) -> Result<usize, StoreError>;
    /// Stores the real state changes the events made (the writer's store
    /// reports them; an event already stored makes none).
    fn insert_changes(&mut self, changes: &[Change]) -> Result<(), StoreError>;
    /// Stored changes in `range` passing `filter`, reading at most
    /// [`SCAN_MAX`] rows, labelled (and filtered) with `names`.
    fn changes(&mut self, range: Range, filter: &Filter, names: Names) -> Result<ChangePage, StoreError>;
    /// The last of the hub's batches the history holds, as [`mark_batch`]
    /// left it (0 with none): where a replica that takes over starts
    /// writing (`crate::replica`).
    ///
    /// [`mark_batch`]: HistoryStore::mark_batch
    fn written_batch(&mut self) -> Result<u64, StoreError> {
        Ok(0)
    }
    /// Records that the history holds the hub's batches up to `seq` (only
    /// a store that replicas share keeps it).
    fn mark_batch(&mut self, _seq: u64) -> Result<(), StoreError> {
        Ok(())
    }
    /// The shared records of one `kind` (maintenance windows; JSON bodies,
    /// oldest first): what operators make, kept and shared like the
    /// history.
    fn records(&mut self, kind: &str) -> Result<Vec<(i64, String)>, StoreError>;
    /// Keeps a record; returns its id.
    fn put_record(&mut self, kind: &str, body: &str) -> Result<i64, StoreError>;
    /// Drops a record; `false` when there was none.
    fn delete_record(&mut self, kind: &str, id: i64) -> Result<bool, StoreError>;
    /// Whether the connection is gone for good (the readers' pool then
    /// opens another).
    fn is_broken(&self) -> bool {
        false
    }
}

/// The name a person reads for an entity (the live store's, through the
/// server's namer; `export::by_id` knows none).
pub type Names<'a> = &'a (dyn Fn(EntityType, &str) -> String + Sync);

/// The order of a page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Order {
    /// Oldest first (time order).
    #[default]
    Oldest,
    /// Newest first (a log read backwards from a moment).
    Newest,
}

/// Which stored rows a page reads: `from <= at < to` (ns), in `order`,
/// after `cursor` (the `(at, id)` of the last row of the page before), at
/// most `limit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub from: i64,
    pub to: i64,
    pub order: Order,
    pub limit: usize,
    pub cursor: Option<(i64, i64)>,
}

/// One page of `GET /changes`.
#[derive(Debug, serde::Serialize)]
pub struct ChangePage {
    pub changes: Vec<ChangeRow>,
    /// Where the next page starts (`cursor=`), if there may be more.
    pub next: Option<String>,
}

/// One stored change, with its words (what, subject, state).
#[derive(Debug, serde::Serialize)]
pub struct ChangeRow {
    pub id: i64,
    pub change: Change,
    pub label: ChangeLabel,
}

/// One page of `GET /history`.
#[derive(Debug, serde::Serialize)]
pub struct Page {
    pub events: Vec<Row>,
    /// Where the next page starts (`cursor=`), if there may be more.
    pub next: Option<String>,
    /// Rows read to fill this page (the filter may skip many).
    pub scanned: u64,
}

/// One stored event (read once from its JSON: filtered, served and
/// exported from this).
#[derive(Debug, serde::Serialize)]
pub struct Row {
    pub id: i64,
    pub event: Event,
}

/// At most this many rows are read for one page, however selective the
/// filter: a page may come back short, with a cursor to go on.
pub const SCAN_MAX: u64 = 100_000;

/// An event as both backends store it: its JSON, its type and name (for a
/// person reading the table), and the digest of its JSON that, with its
/// time, makes it unique.
pub(super) struct Stored {
    pub body: String,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub digest: i64,
}

impl Stored {
    pub(super) fn of(e: &Event) -> Stored {
        let body = serde_json::to_string(e).expect("events always serialise");
        let text = |f: &str| match e.get(f) {
            Some(Value::Text(t)) => Some(t.to_string()),
            _ => None,
        };
        // A stable digest (the same across runs, machines and backends).
        let h = Sha256::digest(body.as_bytes());
        let digest = i64::from_le_bytes(h[..8].try_into().expect("8 bytes"));
        Stored { kind: text("type"), name: text("name"), digest, body }
    }
}
