//! The reactive store: the core's [`FeedClient`] plus the signals the views
//! read. Messages are queued as they arrive and applied together at most
//! once per animation frame, so a burst of batches costs one render. A
//! queue past [`QUEUE_MAX_BYTES`] goes into the core at once, which bounds
//! memory; its frame still publishes to the signals once.
//!
//! The stream counters (and the last applied sequence) follow every frame
//! that applied anything, even a batch that changed nothing (HA copies,
//! REST activity); the entity counts follow every change. The map's
//! topology is rebuilt at most every [`TOPOLOGY_EVERY_MS`]: the first
//! change after a quiet spell shows on the next frame, and a storm of
//! changes costs ten rebuilds (and data redraws of the map) a second
//! instead of sixty, which leaves the frame to panning and zooming (and to
//! the 1.5 s pulse of a node whose health changed, which does redraw every
//! frame while it runs). It is also rebuilt every [`TOPOLOGY_TICK_MS`]
//! without any event, because "recently dropped" depends on the time.

use crate::web::steady_ms;
use leptos::prelude::*;
use std::cell::RefCell;
use std::time::Duration;
use zitiscope_core::client::ServerClock;
use zitiscope_core::layout::NodeId;
use zitiscope_core::store::{IdentityRow, NodeDetails, Summary, Topology};
use zitiscope_core::{Change, ClientStats, FeedClient, RecentChanges, Timestamp};

/// The least time between two topology rebuilds, in ms.
pub const TOPOLOGY_EVERY_MS: f64 = 100.0;
/// The topology is rebuilt at least this often, in ms.
pub const TOPOLOGY_TICK_MS: u64 = 5_000;

/// Queued message bytes past which the queue goes into the core at once
/// instead of at the next frame (which still publishes the result). wasm
/// memory never shrinks, so the largest queue ever held stays the page's
/// size for good: without a cap, a burst that meets a slow frame (a backlog
/// after a reconnect, a busy wall PC) leaves megabytes behind that a day of
/// steady streaming never needed.
pub const QUEUE_MAX_BYTES: usize = 256 * 1024;

/// One SSE message waiting to be applied.
pub struct Pending {
    pub event: String,
    pub id: String,
    pub data: String,
}

struct Inner {
    client: FeedClient,
    /// The change list, a subscriber of the client's dispatcher.
    recent: RecentChanges,
    queue: Vec<Pending>,
    /// The bytes of `queue`'s payloads.
    queued_bytes: usize,
    /// What messages applied early (a full queue) did, for the frame to
    /// publish: whether state changed, whether any was applied, and
    /// whether the server asked to reconnect.
    early: Applied,
    frame_requested: bool,
    /// The feed's clock, anchored at each snapshot and heartbeat.
    clock: ServerClock,
    clock_reports: u64,
    /// When the topology was last rebuilt (`performance.now()`), whether
    /// a rebuild is owed, and whether a timer will come to do it.
    topology_built: f64,
    topology_due: bool,
    topology_timer: bool,
}

/// What the views render. Every field is a cheap signal handle, so the
/// store is `Copy` and can be passed to components and closures freely.
#[derive(Clone, Copy)]
pub struct LiveStore {
    inner: StoredValue<RefCell<Inner>, LocalStorage>,
    /// Online/total per entity type.
    pub summary: RwSignal<Summary>,
    /// The map's nodes and edges.
    pub topology: RwSignal<Topology>,
    /// Recent real changes, newest first.
    pub recent: RwSignal<Vec<Change>>,
    /// Stream counters (events, rejected, last error, the feed's own, …).
    pub stats: RwSignal<ClientStats>,
    /// The sequence of the last applied snapshot or batch, published with
    /// `stats`, so a test can wait until the app holds the feed's `seq`.
    pub seq: RwSignal<Option<u64>>,
    /// Browser time (ms) of the latest applied update.
    pub last_update: RwSignal<Option<f64>>,
    /// Set when the server sent `reset`; the feed hook reconnects and clears it.
    pub reconnect_requested: RwSignal<bool>,
}

impl Default for LiveStore {
    fn default() -> Self {
        Self::new()
    }
}

impl LiveStore {
    /// An empty store.
    pub fn new() -> Self {
        let store = LiveStore {
            inner: StoredValue::new_local(RefCell::new({
                let client = FeedClient::new();
                let recent = RecentChanges::subscribe(client.changes());
                Inner {
                    client,
                    recent,
                    queue: Vec::new(),
                    queued_bytes: 0,
                    early: Applied::default(),
                    frame_requested: false,
                    clock: ServerClock::default(),
                    clock_reports: 0,
                    topology_built: f64::NEG_INFINITY,
                    topology_due: false,
                    topology_timer: false,
                }
            })),
            summary: RwSignal::new(Summary::default()),
            topology: RwSignal::new(Topology::default()),
            recent: RwSignal::new(Vec::new()),
            stats: RwSignal::new(ClientStats::default()),
            seq: RwSignal::new(None),
            last_update: RwSignal::new(None),
            reconnect_requested: RwSignal::new(false),
        };
        // Time alone changes what is recent: rebuild now and then.
        if let Ok(handle) = set_interval_with_handle(
            move || {
                if store.inner.try_with_value(|cell| cell.borrow_mut().topology_due = true).is_some() {
                    store.flush();
                }
            },
            Duration::from_millis(TOPOLOGY_TICK_MS),
        ) {
            on_cleanup(move || handle.clear());
        }
        store
    }

    /// Queues a message and makes sure a frame will apply it.
    pub fn enqueue(&self, msg: Pending) {
        if msg.event == zitiscope_core::wire::SNAPSHOT {
            mark("zitiscope:snapshot-received");
        }
        let request = self.inner.try_with_value(|cell| {
            let mut inner = cell.borrow_mut();
            inner.queued_bytes += msg.data.len();
            inner.queue.push(msg);
            if inner.queued_bytes > QUEUE_MAX_BYTES {
                // Into the core now; the frame still publishes (once).
                let applied = inner.apply_queue();
                inner.early.merge(applied);
            }
            !std::mem::replace(&mut inner.frame_requested, true)
        });
        if request == Some(true) {
            let this = *self;
            // Hidden tabs get no animation frames; without this fallback
            // the queue would grow for as long as the tab stays hidden.
            if document().hidden() {
                set_timeout(move || this.flush(), std::time::Duration::from_millis(250));
            } else {
                request_animation_frame(move || this.flush());
            }
        }
    }

    /// Applies everything queued and publishes the result to the signals.
    /// Called by the animation frame; tests call it directly.
    pub fn flush(&self) {
        let mono = steady_ms();
        // `try_`: a frame or a timer may come after the store is gone.
        let Some(outcome) = self.inner.try_with_value(|cell| {
            let mut inner = cell.borrow_mut();
            inner.frame_requested = false;
            let mut applied = std::mem::take(&mut inner.early);
            applied.merge(inner.apply_queue());
            let Applied { changed, any, reconnect } = applied;
            if let Some((at, n)) = inner.client.stats().server_time {
                if n != inner.clock_reports {
                    inner.clock_reports = n;
                    inner.clock.observe(at, mono);
                }
            }
            inner.topology_due |= changed;
            let rebuild = inner.topology_due && mono - inner.topology_built >= TOPOLOGY_EVERY_MS;
            let topology = rebuild.then(|| {
                inner.topology_due = false;
                inner.topology_built = mono;
                inner.client.store().topology(now_of(&inner.clock, mono))
            });
            // A rebuild owed and not yet allowed: a timer comes back for it.
            let wait = (inner.topology_due && !inner.topology_timer).then(|| {
                inner.topology_timer = true;
                (TOPOLOGY_EVERY_MS - (mono - inner.topology_built)).max(0.0)
            });
            let recent = inner.recent.refresh().then(|| inner.recent.iter().cloned().collect::<Vec<_>>());
            let summary = changed.then(|| inner.client.store().summary());
            // Every applied message moves a counter (events, duplicates,
            // heartbeats), whether or not it changed any state: a batch of
            // HA copies must not leave `events-applied` behind the feed.
            let stats = any.then(|| (inner.client.stats().clone(), inner.client.last_seq()));
            (summary, stats, topology, recent, reconnect, wait)
        }) else {
            return;
        };
        let (summary, stats, topology, recent, reconnect, wait) = outcome;
        if let Some(ms) = wait {
            let this = *self;
            set_timeout(
                move || {
                    if this.inner.try_with_value(|cell| cell.borrow_mut().topology_timer = false).is_some() {
                        this.flush();
                    }
                },
                Duration::from_millis(ms.ceil() as u64),
            );
        }
        // An unchanged topology (e.g. a batch of REST activity) wakes nothing.
        if let Some(topology) = topology {
            if self.topology.with_untracked(|t| *t != topology) {
                self.topology.set(topology);
            }
        }
        if let Some(summary) = summary {
            self.summary.set(summary);
            self.last_update.set(Some(js_sys::Date::now()));
        }
        if let Some(recent) = recent {
            self.recent.set(recent);
        }
        if let Some((stats, seq)) = stats {
            // Unchanged counters (a batch already applied) wake nothing.
            if self.stats.with_untracked(|s| *s != stats) {
                self.stats.set(stats);
            }
            if self.seq.get_untracked() != seq {
                self.seq.set(seq);
            }
        }
        if reconnect {
            self.reconnect_requested.set(true);
        }
    }

    /// The feed's time now: its clock as last reported, plus the time
    /// passed here since (the browser's own clock before any report).
    pub fn now(&self) -> Timestamp {
        self.inner.with_value(|cell| now_of(&cell.borrow().clock, steady_ms()))
    }

    /// Reads the core's store (for the alert engine, which needs more of it
    /// than the signals carry).
    pub fn with_core<R>(&self, f: impl FnOnce(&zitiscope_core::Store) -> R) -> R {
        self.inner.with_value(|cell| f(cell.borrow().client.store()))
    }

    /// The details of a node, now (see [`zitiscope_core::store::details`]).
    pub fn node_details(&self, node: &NodeId) -> Option<NodeDetails> {
        let now = self.now();
        self.inner.with_value(|cell| cell.borrow().client.store().node_details(node, now))
    }

    /// The identities behind a node's badge, now.
    pub fn identities_at(&self, node: &NodeId) -> Vec<IdentityRow> {
        let now = self.now();
        self.inner.with_value(|cell| cell.borrow().client.store().identities_at(node, now))
    }

    /// The sequence of the last applied snapshot or batch.
    pub fn last_seq(&self) -> Option<u64> {
        self.inner.with_value(|cell| cell.borrow().client.last_seq())
    }

    /// Where a new connection should continue (`?since=`), if anywhere.
    pub fn resume_point(&self) -> Option<String> {
        self.inner.with_value(|cell| cell.borrow().client.resume_point().map(|p| p.to_string()))
    }

    /// How many messages wait for the next frame.
    pub fn queued(&self) -> usize {
        self.inner.with_value(|cell| cell.borrow().queue.len())
    }
}

/// What applying some queued messages did.
#[derive(Clone, Copy, Default)]
struct Applied {
    changed: bool,
    any: bool,
    reconnect: bool,
}

impl Applied {
    fn merge(&mut self, other: Applied) {
        self.changed |= other.changed;
        self.any |= other.any;
        self.reconnect |= other.reconnect;
    }
}

impl Inner {
    /// Applies every queued message to the core, and empties the queue.
    fn apply_queue(&mut self) -> Applied {
        let queue = std::mem::take(&mut self.queue);
        self.queued_bytes = 0;
        let mut applied = Applied { any: !queue.is_empty(), ..Applied::default() };
        for m in &queue {
            let r = self.client.on_message(&m.event, &m.id, &m.data);
            applied.changed |= r.changed;
            applied.reconnect |= r.reconnect;
        }
        if queue.iter().any(|m| m.event == zitiscope_core::wire::SNAPSHOT) {
            mark("zitiscope:snapshot-applied");
        }
        applied
    }
}

/// The feed's time at steady local time `mono` (the browser's wall clock
/// before the feed said anything).
fn now_of(clock: &ServerClock, mono: f64) -> Timestamp {
    clock.now(mono).unwrap_or_else(|| Timestamp::from_millis(js_sys::Date::now()))
}

/// A performance mark for the benchmarks (`bench/map.mjs`), replacing any
/// earlier one of the same name, so reconnects over days never pile up.
fn mark(name: &str) {
    if let Some(p) = window().performance() {
        p.clear_marks_with_mark_name(name);
        let _ = p.mark(name);
    }
}
