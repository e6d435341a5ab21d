//! The hub: the feed's one connection-state store, the batch sequence, and
//! the fan-out to SSE clients.
//!
//! Publishing and subscribing take the same lock, so a new client's snapshot
//! and the first batch it receives join with no gap and no overlap.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;
use zitiscope_core::dispatch::Dispatcher;
use zitiscope_core::wire::Snapshot;
use zitiscope_core::{Event, Store, Summary, Timestamp};

/// One serialised batch, shared by every client's queue.
#[derive(Debug)]
pub struct Frame {
    /// Its sequence number: 1 for the first batch, then +1 per batch.
    pub seq: u64,
    /// The JSON array of events, written once for all clients.
    pub data: String,
    /// How many events it holds.
    pub len: usize,
}

struct State {
    store: Store,
    seq: u64,
    events: u64,
}

/// See the module docs.
pub struct Hub {
    /// Real state changes, for in-process observers (logging, hooks).
    pub changes: Dispatcher,
    state: Mutex<State>,
    tx: broadcast::Sender<Arc<Frame>>,
    clients: AtomicUsize,
}

/// What a new client starts from.
pub struct Subscription {
    /// The serialised snapshot (a [`Snapshot`]).
    pub snapshot: String,
    /// The sequence number the snapshot includes.
    pub seq: u64,
    /// Batches after `seq`.
    pub rx: broadcast::Receiver<Arc<Frame>>,
}

/// Numbers for `/healthz`.
#[derive(serde::Serialize)]
pub struct Health {
    pub seq: u64,
    pub events: u64,
    pub connections: usize,
    pub clients: usize,
    pub summary: Summary,
}

impl Hub {
    /// A hub whose clients may each fall `client_queue` batches behind.
    pub fn new(client_queue: usize) -> Self {
        let (tx, _) = broadcast::channel(client_queue.max(1));
        Hub {
            changes: Dispatcher::new(),
            state: Mutex::new(State { store: Store::new(), seq: 0, events: 0 }),
            tx,
            clients: AtomicUsize::new(0),
        }
    }

    /// Applies a batch to the store, gives it the next sequence number and
    /// sends it to every client. Returns the sequence number.
    pub fn publish(&self, events: Vec<Event>) -> u64 {
        if events.is_empty() {
            return self.lock().seq;
        }
        let data = serde_json::to_string(&events).expect("events always serialise");
        let mut st = self.lock();
        let mut changes = Vec::new();
        for e in &events {
            changes.extend(st.store.apply(e));
        }
        st.seq += 1;
        st.events += events.len() as u64;
        let frame = Arc::new(Frame { seq: st.seq, data, len: events.len() });
        // An error only means that no client is listening right now.
        let _ = self.tx.send(frame);
        let seq = st.seq;
        drop(st);
        // Observers run after the lock is released, so they cannot stall
        // publishing for the SSE clients.
        self.changes.dispatch(&changes);
        seq
    }

    /// The current snapshot and the batches after it.
    pub fn subscribe(&self) -> Subscription {
        let st = self.lock();
        let snap = Snapshot { seq: st.seq, at: now(), state: st.store.state() };
        Subscription {
            snapshot: serde_json::to_string(&snap).expect("snapshots always serialise"),
            seq: st.seq,
            rx: self.tx.subscribe(),
        }
    }

    /// The last sequence number published.
    pub fn seq(&self) -> u64 {
        self.lock().seq
    }

    /// Counts for `/healthz`.
    pub fn health(&self) -> Health {
        let st = self.lock();
        Health {
            seq: st.seq,
            events: st.events,
            connections: st.store.len(),
            clients: self.clients.load(Ordering::Relaxed),
            summary: st.store.summary(),
        }
    }

    /// Counts a connected SSE client for as long as the guard lives.
    pub fn client_guard(self: &Arc<Self>) -> ClientGuard {
        self.clients.fetch_add(1, Ordering::Relaxed);
        ClientGuard(self.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // Nothing panics while holding the lock; if something ever did, the
        // store is still whole between events, so keep serving.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// See [`Hub::client_guard`].
pub struct ClientGuard(Arc<Hub>);

impl Drop for ClientGuard {
    fn drop(&mut self) {
        self.0.clients.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Server time, for snapshots and heartbeats.
pub fn now() -> Timestamp {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Timestamp(d.as_nanos() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use zitiscope_core::dispatch::Filter;
    use zitiscope_core::{Change, ConnKind};

    #[test]
    fn publish_dispatches_real_changes_and_sequences_batches() {
        let hub = Hub::new(8);
        let routers = hub.changes.subscribe(Filter { kinds: vec![ConnKind::RouterToCtrl], ..Default::default() }, 16);
        let up = Event::conn(Timestamp(1), ConnKind::RouterToCtrl, "r1", "c1", true);
        assert_eq!(
            hub.publish(vec![up.clone(), Event::conn(Timestamp(1), ConnKind::EdgeToRouter, "a", "r1", true)]),
            1
        );
        assert_eq!(hub.publish(vec![up]), 2, "a duplicate still makes a batch");
        let seen = routers.drain();
        assert!(matches!(seen.as_slice(), [Change::Conn { to: true, .. }]), "{seen:?}");
        assert_eq!(hub.health().summary.routers.online, 1);
    }
}
