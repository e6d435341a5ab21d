//! The counters that sources and hooks keep, and the [`Registry`] that
//! names them: the one place `/metrics`, `/healthz` and each heartbeat read
//! them from. A source or a hook holds its own `Arc` and counts with relaxed
//! atomics, so counting never takes a lock on the hot path.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use zitiscope_core::wire::SourceCounters;
use zitiscope_core::Timestamp;

/// Whether a source is up, and the outage it is in (see
/// [`SourceStats::down`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceState {
    /// When the current outage began; `None` while up.
    pub down_since: Option<Timestamp>,
    /// Why it is down, or why it last went down.
    pub reason: Option<String>,
    /// The running command's process id (`exec` sources), for `/healthz`.
    pub pid: Option<u32>,
}

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
    /// Times the source was started again (an `exec` command).
    pub restarts: AtomicU64,
    state: Mutex<SourceState>,
}

impl SourceStats {
    /// A counter's value.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    /// All of them at once, as `/healthz` and each `heartbeat` carry them.
    pub fn counters(&self) -> SourceCounters {
        let state = self.state();
        SourceCounters {
            lines: Self::get(&self.lines),
            events: Self::get(&self.events),
            skipped: Self::get(&self.skipped),
            rejected: Self::get(&self.rejected),
            last_error: lock(&self.last_error).clone(),
            down_since: state.down_since,
            reason: state.reason,
            restarts: Self::get(&self.restarts),
        }
    }

    /// The source is down at `at` for `reason`. An outage already under
    /// way keeps its start (a command that fails again and again is one
    /// outage) and takes the newer reason. Returns whether it was up.
    pub fn down(&self, at: Timestamp, reason: impl Into<String>) -> bool {
        let mut s = lock(&self.state);
        s.reason = Some(reason.into());
        s.pid = None;
        let was_up = s.down_since.is_none();
        s.down_since.get_or_insert(at);
        was_up
    }

    /// The source is up (again); the last reason stays, as the cause of the
    /// last outage. Returns whether it was down.
    pub fn up(&self) -> bool {
        lock(&self.state).down_since.take().is_some()
    }

    /// The running command's process id, or `None` between runs.
    pub fn set_pid(&self, pid: Option<u32>) {
        lock(&self.state).pid = pid;
    }

    /// Its state now.
    pub fn state(&self) -> SourceState {
        lock(&self.state).clone()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outage_keeps_its_start_and_takes_the_newest_reason() {
        let s = SourceStats::default();
        assert_eq!(s.counters().down_since, None, "up until told otherwise");
        s.set_pid(Some(42));
        assert!(s.down(Timestamp(10), "exited with status 0"));
        assert!(!s.down(Timestamp(20), "spawn failed: No such file or directory"), "still the same outage");
        let c = s.counters();
        assert_eq!(
            (c.down_since, c.reason.as_deref()),
            (Some(Timestamp(10)), Some("spawn failed: No such file or directory"))
        );
        assert_eq!(s.state().pid, None, "no process while down");
        assert!(s.up());
        assert!(!s.up(), "already up");
        let c = s.counters();
        assert_eq!((c.down_since, c.reason.as_deref()), (None, Some("spawn failed: No such file or directory")));
    }
}
