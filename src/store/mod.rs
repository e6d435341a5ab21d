//! The reactive store: the core's [`FeedClient`] plus the signals the views
//! read. Messages are queued as they arrive and applied together at most
//! once per animation frame, so a burst of batches costs one render.

use leptos::prelude::*;
use std::cell::RefCell;
use zitiscope_core::store::{Summary, Topology};
use zitiscope_core::{Change, ClientStats, FeedClient, RecentChanges};

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
    frame_requested: bool,
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
    /// Stream counters (events, rejected, last error, …).
    pub stats: RwSignal<ClientStats>,
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
        LiveStore {
            inner: StoredValue::new_local(RefCell::new({
                let client = FeedClient::new();
                let recent = RecentChanges::subscribe(client.changes());
                Inner { client, recent, queue: Vec::new(), frame_requested: false }
            })),
            summary: RwSignal::new(Summary::default()),
            topology: RwSignal::new(Topology::default()),
            recent: RwSignal::new(Vec::new()),
            stats: RwSignal::new(ClientStats::default()),
            last_update: RwSignal::new(None),
            reconnect_requested: RwSignal::new(false),
        }
    }

    /// Queues a message and makes sure a frame will apply it.
    pub fn enqueue(&self, msg: Pending) {
        let request = self.inner.with_value(|cell| {
            let mut inner = cell.borrow_mut();
            inner.queue.push(msg);
            !std::mem::replace(&mut inner.frame_requested, true)
        });
        if request {
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
        let outcome = self.inner.with_value(|cell| {
            let mut inner = cell.borrow_mut();
            inner.frame_requested = false;
            let queue = std::mem::take(&mut inner.queue);
            let mut changed = false;
            let mut reconnect = false;
            for m in &queue {
                let r = inner.client.on_message(&m.event, &m.id, &m.data);
                changed |= r.changed;
                reconnect |= r.reconnect;
            }
            let recent = inner.recent.refresh().then(|| inner.recent.iter().cloned().collect::<Vec<_>>());
            changed.then(|| {
                let store = inner.client.store();
                (store.summary(), store.topology(), recent, inner.client.stats().clone(), reconnect)
            })
        });
        if let Some((summary, topology, recent, stats, reconnect)) = outcome {
            self.summary.set(summary);
            // An unchanged topology (e.g. a batch of REST activity) wakes nothing.
            if self.topology.with_untracked(|t| *t != topology) {
                self.topology.set(topology);
            }
            if let Some(recent) = recent {
                self.recent.set(recent);
            }
            self.stats.set(stats);
            self.last_update.set(Some(js_sys::Date::now()));
            if reconnect {
                self.reconnect_requested.set(true);
            }
        }
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
