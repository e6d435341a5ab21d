//! The hub: the feed's one connection-state store, the batch sequence, and
//! the fan-out to SSE clients and in-process observers (the change
//! dispatcher). It knows nothing of HTTP, hooks or sources' counters.
//!
//! Publishing and subscribing take the same lock, so a new client's snapshot
//! (or its resume point) and the first batch it receives join with no gap
//! and no overlap. The newest batches stay in a bounded replay ring, so a
//! client that reconnects inside it gets exactly what it missed.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;
use zitiscope_core::dispatch::Dispatcher;
use zitiscope_core::wire::{EventId, Snapshot};
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
    /// The newest batches, oldest first, at most `ring_cap` of them and
    /// `ring_bytes_cap` bytes of JSON.
    ring: VecDeque<Arc<Frame>>,
    ring_cap: usize,
    ring_bytes: usize,
    ring_bytes_cap: usize,
}

/// See the module docs.
pub struct Hub {
    /// Real state changes, for in-process observers (logging, hooks).
    pub changes: Dispatcher,
    /// This run's id: sequences restart with the process, so a resume
    /// point names the run it belongs to (the protocol's `feed` field).
    pub run_id: String,
    state: Mutex<State>,
    tx: broadcast::Sender<Arc<Frame>>,
    /// Connected SSE clients by number: the last sequence each was sent.
    clients: Mutex<BTreeMap<u64, Arc<AtomicU64>>>,
    next_client: AtomicU64,
    /// Protocol counters, for `/metrics`.
    pub counters: Counters,
}

/// What the SSE side did, for `/metrics`.
#[derive(Debug, Default)]
pub struct Counters {
    /// Streams opened with a snapshot.
    pub snapshots: AtomicU64,
    /// Streams that resumed inside the replay ring.
    pub resumes: AtomicU64,
    /// Clients dropped with `reset` for falling behind.
    pub resets: AtomicU64,
    /// Batches those clients missed.
    pub dropped_batches: AtomicU64,
}

/// What a new client starts from.
pub struct Joined {
    pub start: Start,
    /// The sequence number the start includes.
    pub seq: u64,
    /// Batches after `seq`.
    pub rx: broadcast::Receiver<Arc<Frame>>,
}

/// How a client's stream begins.
pub enum Start {
    /// The full state (a serialised [`Snapshot`]).
    Snapshot(String),
    /// Resumed after the client's last batch: the batches it missed, in order.
    Resume { after: u64, missed: Vec<Arc<Frame>> },
}

/// The hub's numbers, for `/healthz`.
#[derive(serde::Serialize)]
pub struct HubStatus {
    pub seq: u64,
    pub events: u64,
    pub connections: usize,
    pub clients: usize,
    /// Batches held for resuming clients.
    pub ring: usize,
    pub summary: Summary,
}

impl Hub {
    /// A hub whose clients may each fall `client_queue` batches behind,
    /// and that keeps the newest `replay` batches for resuming clients.
    pub fn new(client_queue: usize, replay: usize) -> Self {
        let (tx, _) = broadcast::channel(client_queue.max(1));
        Hub {
            changes: Dispatcher::new(),
            run_id: run_id(),
            state: Mutex::new(State {
                store: Store::new(),
                seq: 0,
                events: 0,
                ring: VecDeque::with_capacity(replay.min(1 << 16)),
                ring_cap: replay,
                ring_bytes: 0,
                ring_bytes_cap: usize::MAX,
            }),
            tx,
            clients: Mutex::new(BTreeMap::new()),
            next_client: AtomicU64::new(1),
            counters: Counters::default(),
        }
    }

    /// Starts from `store` instead of an empty one: the history's state
    /// when the feed restarts. Call it before anything is published. Its
    /// counters start from zero (they are this run's, in `/metrics`).
    pub fn seed(&self, store: Store) {
        self.seed_at(store, 0);
    }

    /// Starts from `store` as of batch `seq`: a replica's start, from the
    /// shared log's snapshot (the batches after it follow).
    pub fn seed_at(&self, mut store: Store, seq: u64) {
        store.restart_stats();
        let mut st = self.lock();
        debug_assert_eq!(st.seq, 0, "seeded after a publish");
        st.store = store;
        st.seq = seq;
    }

    /// The same hub under `run`, the id its clients' resume points name
    /// (the replicas of one network share one: see [`crate::replica`]).
    pub fn with_run(mut self, run: String) -> Self {
        self.run_id = run;
        self
    }

    /// Resolves once batch `seq` is published here, or after `wait`: a
    /// client that resumes from a replica a little ahead of this one.
    pub async fn reached(&self, seq: u64, wait: std::time::Duration) {
        let mut rx = self.tx.subscribe();
        let deadline = tokio::time::Instant::now() + wait;
        while self.seq() < seq {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Err(_) | Ok(Err(broadcast::error::RecvError::Closed)) => return,
                Ok(_) => {}
            }
        }
    }

    /// Also bounds the replay ring by size: at a high event rate, 4,096
    /// batches could be hundreds of megabytes.
    pub fn limit_replay_bytes(&self, bytes: usize) {
        self.lock().ring_bytes_cap = bytes.max(1);
    }

    /// Applies a batch to the store, gives it the next sequence number and
    /// sends it to every client. Returns the sequence number.
    pub fn publish(&self, events: Vec<Event>) -> u64 {
        if events.is_empty() {
            return self.lock().seq;
        }
        let data = serde_json::to_string(&events).expect("events always serialise");
        let st = self.lock();
        let seq = st.seq + 1;
        self.publish_locked(st, seq, data, &events);
        seq
    }

    /// Publishes a batch that already has its sequence number and its text
    /// (a replica's, from the shared log: see [`crate::replica`]), if it is
    /// the next one. `Err` holds the last sequence number published when it
    /// is not: a batch at or before it is already here, one after it would
    /// leave a gap.
    pub fn publish_at(&self, seq: u64, data: String, events: &[Event]) -> Result<(), u64> {
        let st = self.lock();
        if seq != st.seq + 1 {
            return Err(st.seq);
        }
        self.publish_locked(st, seq, data, events);
        Ok(())
    }

    /// Applies `events` as batch `seq`, keeps it for resuming clients and
    /// sends it to every client; then, with the lock released, tells the
    /// observers what changed.
    fn publish_locked(&self, mut st: std::sync::MutexGuard<'_, State>, seq: u64, data: String, events: &[Event]) {
        let mut changes = Vec::new();
        for e in events {
            changes.extend(st.store.apply(e));
        }
        st.seq = seq;
        st.events += events.len() as u64;
        let frame = Arc::new(Frame { seq, data, len: events.len() });
        if st.ring_cap > 0 {
            st.ring_bytes += frame.data.len();
            st.ring.push_back(frame.clone());
            while st.ring.len() > st.ring_cap || (st.ring_bytes > st.ring_bytes_cap && st.ring.len() > 1) {
                if let Some(old) = st.ring.pop_front() {
                    st.ring_bytes -= old.data.len();
                }
            }
        }
        // An error only means that no client is listening right now.
        let _ = self.tx.send(frame);
        drop(st);
        // Observers run after the lock is released, so they cannot stall
        // publishing for the SSE clients.
        self.changes.dispatch(&changes);
    }

    /// Where a client starts, and the batches after it. A client that
    /// names a point of this run that the ring still reaches resumes there;
    /// any other gets the full snapshot.
    pub fn subscribe(&self, since: Option<&EventId>) -> Joined {
        let st = self.lock();
        let rx = self.tx.subscribe();
        let seq = st.seq;
        let oldest = st.ring.front().map_or(seq + 1, |f| f.seq);
        let start = match since {
            Some(id) if id.run == self.run_id && id.seq <= seq && id.seq + 1 >= oldest => {
                let missed = st.ring.iter().filter(|f| f.seq > id.seq).cloned().collect();
                self.counters.resumes.fetch_add(1, Ordering::Relaxed);
                Start::Resume { after: id.seq, missed }
            }
            _ => {
                self.counters.snapshots.fetch_add(1, Ordering::Relaxed);
                Start::Snapshot(self.snapshot_text(&st))
            }
        };
        Joined { start, seq, rx }
    }

    /// Every batch published from now on, for an in-process consumer that
    /// must see them all (the history writer). It lags only if it falls
    /// more than the client queue behind.
    pub fn frames(&self) -> broadcast::Receiver<Arc<Frame>> {
        self.tx.subscribe()
    }

    /// The full current state, serialised (for `GET /snapshot`).
    pub fn snapshot(&self) -> String {
        self.snapshot_text(&self.lock())
    }

    /// The same, with the batch it includes.
    pub fn snapshot_at(&self) -> (u64, String) {
        let st = self.lock();
        (st.seq, self.snapshot_text(&st))
    }

    /// The snapshot's text, written under the lock straight from the store.
    /// Publishing waits for it, but less than it waited for the copy that
    /// was written after the lock: copying a 20,000-identity state took
    /// 35–80 ms, writing it 25–40 ms (BENCHMARKS.md, "Seeking"), so the
    /// lock is held for less time, and `/snapshot` of such a network took
    /// 35–45 ms instead of 55–67 ms.
    fn snapshot_text(&self, st: &State) -> String {
        let snap = Snapshot { run: self.run_id.clone(), seq: st.seq, at: now(), state: st.store.state_ref() };
        serde_json::to_string(&snap).expect("snapshots always serialise")
    }

    /// The SSE id of batch `seq` of this run.
    pub fn event_id(&self, seq: u64) -> String {
        EventId { run: self.run_id.clone(), seq }.to_string()
    }

    /// The last sequence number published.
    pub fn seq(&self) -> u64 {
        self.lock().seq
    }

    /// Counts for `/healthz`.
    pub fn status(&self) -> HubStatus {
        let st = self.lock();
        HubStatus {
            seq: st.seq,
            events: st.events,
            connections: st.store.len(),
            clients: self.clients().len(),
            ring: st.ring.len(),
            summary: st.store.summary(),
        }
    }

    /// Every node as the list view shows it, now (for `GET /nodes`): its
    /// health and its identities.
    pub fn nodes(&self) -> Vec<zitiscope_core::store::NodeRow> {
        let st = self.lock();
        let topology = st.store.topology(now());
        drop(st);
        topology.rows(&zitiscope_core::filter::Filter::default(), zitiscope_core::store::SortBy::Name, true)
    }

    /// `f` over the live store, under the hub's lock: keep it short (a
    /// request's check, not a scan of the history).
    pub fn with_store<R>(&self, f: impl FnOnce(&zitiscope_core::Store) -> R) -> R {
        f(&self.lock().store)
    }

    /// A change in words, routers and identities by name.
    pub fn label(&self, change: &zitiscope_core::Change) -> zitiscope_core::store::ChangeLabel {
        self.lock().store.label(change)
    }

    /// The names a person reads for these entities now (the store's
    /// inventory; an entity with no name reads as its id). One lock for
    /// the lot: an export names a page of events at a time.
    pub fn display_names(&self, ids: &[(zitiscope_core::EntityType, &str)]) -> Vec<String> {
        let st = self.lock();
        ids.iter().map(|(t, id)| st.store.display_name(*t, id).to_owned()).collect()
    }

    /// Registers a connected SSE client for as long as the guard lives.
    pub fn client_guard(self: &Arc<Self>) -> ClientGuard {
        let id = self.next_client.fetch_add(1, Ordering::Relaxed);
        let sent = Arc::new(AtomicU64::new(0));
        self.client_map().insert(id, sent.clone());
        ClientGuard { hub: self.clone(), id, sent }
    }

    /// Every connected client's number and the last sequence it was sent.
    pub fn clients(&self) -> Vec<(u64, u64)> {
        self.client_map().iter().map(|(id, sent)| (*id, sent.load(Ordering::Relaxed))).collect()
    }

    fn client_map(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Arc<AtomicU64>>> {
        self.clients.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // Nothing panics while holding the lock; if something ever did, the
        // store is still whole between events, so keep serving.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counters and gauges of the store, for `/metrics`.
    pub fn store_metrics(&self) -> StoreMetrics {
        let st = self.lock();
        StoreMetrics {
            seq: st.seq,
            events: st.events,
            ring: st.ring.len(),
            ring_cap: st.ring_cap,
            connections: st.store.len(),
            summary: st.store.summary(),
            stats: st.store.stats(),
        }
    }
}

/// See [`Hub::store_metrics`].
pub struct StoreMetrics {
    pub seq: u64,
    pub events: u64,
    pub ring: usize,
    pub ring_cap: usize,
    pub connections: usize,
    pub summary: Summary,
    pub stats: zitiscope_core::store::StoreStats,
}

/// See [`Hub::client_guard`].
pub struct ClientGuard {
    hub: Arc<Hub>,
    id: u64,
    sent: Arc<AtomicU64>,
}

impl ClientGuard {
    /// Records the last sequence this client was sent (its lag is the
    /// distance to the hub's newest).
    pub fn sent(&self, seq: u64) {
        self.sent.store(seq, Ordering::Relaxed);
    }
}

impl Drop for ClientGuard {
    fn drop(&mut self) {
        self.hub.client_map().remove(&self.id);
    }
}

/// A random id for this run of the feed (std's per-process random hash keys).
pub(crate) fn run_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let h = std::collections::hash_map::RandomState::new().build_hasher().finish();
    format!("{:08x}", h as u32)
}

/// Server time, for snapshots and heartbeats.
pub fn now() -> Timestamp {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Timestamp(d.as_nanos() as i64)
}

#[cfg(test)]
mod tests;
