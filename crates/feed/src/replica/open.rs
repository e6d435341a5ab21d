//! A replica's start: the log's tables, the shared run id and the newest
//! snapshot, read before its hub exists; and what it needs to follow and,
//! once it leads, to lead.

use super::log;
use crate::hub::Hub;
use std::sync::{Arc, Mutex};
use zitiscope_core::wire::Snapshot;
use zitiscope_core::{Store, StoreConfig};

/// What a replica starts from, read from the log before its hub exists.
pub struct Opened {
    /// The run id all replicas share.
    pub run: String,
    /// The newest snapshot's batch and store, if the log has one.
    pub start: Option<(u64, Store)>,
}

/// Makes the log's tables (and the history's) if need be, and reads the
/// shared run id and the newest snapshot. Blocking, on a thread of its
/// own (it runs before the feed serves).
pub fn open(url: &str) -> std::io::Result<Opened> {
    let shown = crate::redact::redacted(url);
    std::thread::scope(|s| s.spawn(|| open_blocking(url)).join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
        .map_err(|e| std::io::Error::other(format!("replica log {shown}: {e}")))
}

/// A database error in the server's own words (`db error` alone hides them).
fn text(e: impl Into<Box<dyn std::error::Error>>) -> String {
    let e = e.into();
    match e.downcast_ref::<postgres::Error>().and_then(|e| e.as_db_error()) {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => e.to_string(),
    }
}

fn open_blocking(url: &str) -> Result<Opened, String> {
    // The history's tables: a follower reads them before any leader wrote.
    crate::history::Location::Postgres(url.to_owned()).open().map_err(text)?;
    let mut db = postgres::Client::connect(url, postgres::NoTls).map_err(text)?;
    let mut tx = db.transaction().map_err(text)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&(log::LEADER_LOCK + 1)]).map_err(text)?;
    tx.batch_execute(log::SCHEMA).map_err(text)?;
    tx.execute(
        "INSERT INTO feed_cluster (run) VALUES ($1) ON CONFLICT (only_row) DO NOTHING",
        &[&format!("c{}", crate::hub::run_id())],
    )
    .map_err(text)?;
    let run: String = tx.query_one("SELECT run FROM feed_cluster", &[]).map_err(text)?.get(0);
    let snap = tx.query_opt("SELECT seq, state FROM feed_snapshots ORDER BY seq DESC LIMIT 1", &[]).map_err(text)?;
    tx.commit().map_err(text)?;
    let start = match snap {
        Some(row) => {
            let (seq, text): (i64, String) = (row.get(0), row.get(1));
            let snap: Snapshot = serde_json::from_str(&text).map_err(|e| format!("the log's snapshot {seq}: {e}"))?;
            Some((seq as u64, Store::from_state(snap.state, StoreConfig::default())))
        }
        None => None,
    };
    Ok(Opened { run, start })
}

/// Starts the sources once this replica leads.
pub type Lead = Box<dyn FnOnce() -> std::io::Result<()> + Send>;

/// What a replica needs to follow and, once it leads, to lead.
pub struct Replica {
    pub url: String,
    pub hub: Arc<Hub>,
    pub status: Arc<super::Status>,
    pub history: Arc<crate::history::History>,
    /// Starts the sources (taken when it leads).
    pub lead: Mutex<Option<Lead>>,
}
