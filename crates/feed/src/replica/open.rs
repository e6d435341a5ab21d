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

fn open_blocking(url: &str) -> Result<Opened, String> {
    // The history's tables: a follower reads them before any leader wrote.
    crate::history::Location::Postgres(url.to_owned()).open().map_err(|e| e.to_string())?;
    let mut db = postgres::Client::connect(url, postgres::NoTls).map_err(|e| e.to_string())?;
    let mut tx = db.transaction().map_err(|e| e.to_string())?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&(log::LEADER_LOCK + 1)]).map_err(|e| e.to_string())?;
    tx.batch_execute(log::SCHEMA).map_err(|e| e.to_string())?;
    tx.execute(
        "INSERT INTO feed_cluster (run) VALUES ($1) ON CONFLICT (only_row) DO NOTHING",
        &[&format!("c{}", crate::hub::run_id())],
    )
    .map_err(|e| e.to_string())?;
    let run: String = tx.query_one("SELECT run FROM feed_cluster", &[]).map_err(|e| e.to_string())?.get(0);
    let snap = tx
        .query_opt("SELECT seq, state FROM feed_snapshots ORDER BY seq DESC LIMIT 1", &[])
        .map_err(|e| e.to_string())?;
    tx.commit().map_err(|e| e.to_string())?;
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
