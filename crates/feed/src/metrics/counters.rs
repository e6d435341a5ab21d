//! The counters that sources and hooks keep, and the [`Registry`] that
//! names them: the one place `/metrics`, `/healthz` and each heartbeat read
//! them from. A source or a hook holds its own `Arc` and counts with relaxed
//! atomics, so counting never takes a lock on the hot path.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use zitiscope_core::wire::SourceCounters;

/// Counters of one source, read by `/metrics` and `/healthz`.
#[derive(Debug, Default)]
pub struct SourceStats {
    /// Lines read (blank lines excluded).
    pub lines: AtomicU64,
    /// Events parsed and passed on.
    pub events: AtomicU64,
    /// Well-formed events of kinds that carry no connection state.
    pub skipped: AtomicU64,
    /// Lines that could not be read (broken JSON, missing fields, invalid
    /// UTF-8, too long).
    pub rejected: AtomicU64,
    /// The newest rejection, with where it was.
    pub last_error: Mutex<Option<String>>,
}

impl SourceStats {
    /// A counter's value.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    /// All of them at once, as `/healthz` and each `heartbeat` carry them.
    pub fn counters(&self) -> SourceCounters {
        SourceCounters {
            lines: Self::get(&self.lines),
            events: Self::get(&self.events),
            skipped: Self::get(&self.skipped),
            rejected: Self::get(&self.rejected),
            last_error: self.last_error.lock().unwrap_or_else(|p| p.into_inner()).clone(),
        }
    }
}

/// A hook's counters, for `/metrics`.
#[derive(Debug, Default)]
pub struct HookStats {
    /// Changes delivered (the webhook answered 2xx, the command exited 0).
    pub delivered: AtomicU64,
    /// Attempts that failed and were tried again.
    pub retries: AtomicU64,
    /// Given up on after every retry.
    pub failed: AtomicU64,
    /// Not queued: the queue was full.
    pub dropped: AtomicU64,
    /// Waiting now.
    pub queued: AtomicU64,
}

/// Every source's and hook's counters, by name, in the order registered.
#[derive(Debug, Default)]
pub struct Registry {
    sources: Mutex<Vec<(String, Arc<SourceStats>)>>,
    hooks: Mutex<Vec<(String, Arc<HookStats>)>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// New counters for source `name`, for `/healthz`, `/metrics` and the heartbeats.
    pub fn register_source(&self, name: &str) -> Arc<SourceStats> {
        let stats = Arc::new(SourceStats::default());
        lock(&self.sources).push((name.to_owned(), stats.clone()));
        stats
    }

    /// New counters for hook `name`, for `/metrics`.
    pub fn register_hook(&self, name: &str) -> Arc<HookStats> {
        let stats = Arc::new(HookStats::default());
        lock(&self.hooks).push((name.to_owned(), stats.clone()));
        stats
    }

    /// Every registered source's counters.
    pub fn sources(&self) -> Vec<(String, Arc<SourceStats>)> {
        lock(&self.sources).clone()
    }

    /// Every registered hook's counters.
    pub fn hooks(&self) -> Vec<(String, Arc<HookStats>)> {
        lock(&self.hooks).clone()
    }

    /// Every registered source's counters now, by name: `/healthz`'s
    /// `sources` and each heartbeat's.
    pub fn source_counters(&self) -> BTreeMap<String, SourceCounters> {
        lock(&self.sources).iter().map(|(name, s)| (name.clone(), s.counters())).collect()
    }
}

/// Counting never panics while a list is held, so a poisoned lock still
/// holds a whole list.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
