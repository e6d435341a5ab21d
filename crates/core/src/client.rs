//! The consuming end of the feed protocol, free of any browser API: the app
//! hands it every SSE message (event name, id, data) and renders what it
//! holds. Being plain Rust, all of its rules are tested natively.
//!
//! - `snapshot` replaces the store and sets the sequence;
//! - `batch` applies its events; a batch at or below the last sequence is a
//!   duplicate and is skipped; a jump past `last + 1` is counted as a gap;
//! - `message` (any third-party producer) carries raw events;
//! - `heartbeat` records server time; `reset` asks for a reconnect;
//! - anything malformed is counted as rejected with its reason, and the
//!   rest of the stream goes on.

mod recent;

pub use recent::{RecentChanges, RECENT_CAP};

use crate::dispatch::Dispatcher;
use crate::parse::Parsed;
use crate::wire::{self, decode_batch, decode_message, Heartbeat, Snapshot};
use crate::{Event, Store, Timestamp};

/// Counters about the stream, for the status line and for tests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// Events applied (including those that changed nothing).
    pub events: u64,
    /// Real state changes.
    pub changes: u64,
    /// Events or messages that could not be read.
    pub rejected: u64,
    /// Well-formed events that carry nothing we track.
    pub skipped: u64,
    /// Snapshots received (1 + reconnects).
    pub snapshots: u64,
    /// Batches skipped because their sequence was already applied.
    pub duplicate_batches: u64,
    /// Times the sequence jumped, i.e. batches were missed.
    pub gaps: u64,
    /// The latest reason something was rejected.
    pub last_error: Option<String>,
    /// Server time of the latest heartbeat.
    pub last_heartbeat: Option<Timestamp>,
}

/// What the app should do after a message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reaction {
    /// Whether the visible state changed (re-render).
    pub changed: bool,
    /// Whether the server asked us to reconnect (`reset`).
    pub reconnect: bool,
}

/// See the module docs.
#[derive(Default)]
pub struct FeedClient {
    store: Store,
    last_seq: Option<u64>,
    stats: ClientStats,
    changes: Dispatcher,
}

impl FeedClient {
    /// A client that has seen nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Handles one SSE message. `id` is the SSE `lastEventId` (may be empty).
    pub fn on_message(&mut self, event: &str, id: &str, data: &str) -> Reaction {
        match event {
            wire::SNAPSHOT => self.on_snapshot(data),
            wire::BATCH => self.on_batch(id, data),
            wire::HEARTBEAT => {
                match serde_json::from_str::<Heartbeat>(data) {
                    Ok(hb) => self.stats.last_heartbeat = Some(hb.now),
                    Err(e) => self.reject(format!("invalid heartbeat: {e}")),
                }
                Reaction { changed: true, reconnect: false }
            }
            wire::RESET => Reaction { changed: true, reconnect: true },
            _ => self.on_raw(data),
        }
    }

    fn on_snapshot(&mut self, data: &str) -> Reaction {
        match serde_json::from_str::<Snapshot>(data) {
            Ok(snap) => {
                self.store = Store::from_state(snap.state, self.store.config().clone());
                self.last_seq = Some(snap.seq);
                self.stats.snapshots += 1;
            }
            Err(e) => self.reject(format!("invalid snapshot: {e}")),
        }
        Reaction { changed: true, reconnect: false }
    }

    fn on_batch(&mut self, id: &str, data: &str) -> Reaction {
        let seq = match id.parse::<u64>() {
            Ok(seq) => seq,
            Err(_) => {
                self.reject(format!("batch has no sequence id ({:?})", crate::parse::preview(id)));
                return Reaction::default();
            }
        };
        if let Some(last) = self.last_seq {
            if seq <= last {
                self.stats.duplicate_batches += 1;
                return Reaction::default();
            }
            if seq > last + 1 {
                self.stats.gaps += 1;
            }
        }
        self.last_seq = Some(seq);
        let mut changed = false;
        for item in decode_batch(data) {
            match item {
                Ok(ev) => changed |= self.apply(&ev),
                Err(e) => {
                    self.reject(e.to_string());
                    changed = true;
                }
            }
        }
        Reaction { changed, reconnect: false }
    }

    fn on_raw(&mut self, data: &str) -> Reaction {
        let mut changed = false;
        for item in decode_message(data) {
            match item {
                Ok(Parsed::Event(ev)) => changed |= self.apply(&ev),
                Ok(Parsed::Skipped(_)) => self.stats.skipped += 1,
                Err(e) => {
                    self.reject(e.to_string());
                    changed = true;
                }
            }
        }
        Reaction { changed, reconnect: false }
    }

    fn apply(&mut self, ev: &Event) -> bool {
        self.stats.events += 1;
        let changes = self.store.apply(ev);
        self.stats.changes += changes.len() as u64;
        self.changes.dispatch(&changes);
        !changes.is_empty()
    }

    fn reject(&mut self, reason: String) {
        self.stats.rejected += 1;
        self.stats.last_error = Some(reason);
    }

    /// The connection state.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The stream counters.
    pub fn stats(&self) -> &ClientStats {
        &self.stats
    }

    /// The sequence of the latest snapshot or batch applied.
    pub fn last_seq(&self) -> Option<u64> {
        self.last_seq
    }

    /// Every real change, for subscribers (the app's change list, alerts).
    pub fn changes(&self) -> &Dispatcher {
        &self.changes
    }
}

#[cfg(test)]
mod tests;
