//! The page's copy of what the worker shows: a `zitiscope_core::sync::View`
//! and the signals the views read. The worker (`crate::feed`) holds the
//! stream, the store and the alert engine; the page applies its updates
//! here, each part publishing to its own signal only when it changed, and
//! sends it commands (a selection, names to keep, an ack).
//!
//! Views mounted alone (the component tests) drive it with updates from a
//! `sync::Engine` of their own, through [`LiveStore::apply`].

use crate::web::epoch_ms;
use leptos::prelude::*;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use zitiscope_core::alerts::{Alert, AlertCounts, AlertKey};
use zitiscope_core::client::Beats;
use zitiscope_core::layout::NodeId;
use zitiscope_core::ops::Ops;
use zitiscope_core::store::{IdentityRow, NodeDetails, Summary, Topology};
use zitiscope_core::sync::{self, Command, FeedStatus, Mark, OutOfOrder, View};
use zitiscope_core::{Change, ClientStats, EntityType, Timestamp};

/// Where commands go: to the worker, or to a test's engine.
type Post = Box<dyn Fn(&Command)>;

struct Inner {
    view: View,
    /// Where commands go (none for a view mounted alone).
    post: Option<Post>,
    /// Alerts that fired and were not yet told, each with whether it fired
    /// silenced (see [`LiveStore::take_fired`]).
    fired: Vec<(Alert, bool)>,
}

/// What the views render. Every field is a cheap signal handle, so the
/// store is `Copy` and can be passed to components and closures freely.
#[derive(Clone, Copy)]
pub struct LiveStore {
    inner: StoredValue<RefCell<Inner>, LocalStorage>,
    /// The connection's state.
    pub status: RwSignal<FeedStatus>,
    /// What the feed has shown of its heartbeat.
    pub beats: RwSignal<Beats>,
    /// Online/total per entity type.
    pub summary: RwSignal<Summary>,
    /// The map's nodes and edges.
    pub topology: RwSignal<Topology>,
    /// Recent real changes, newest first.
    pub recent: RwSignal<Vec<Change>>,
    /// Stream counters (events, rejected, last error, the feed's own, …).
    pub stats: RwSignal<ClientStats>,
    /// The sequence of the last applied snapshot or batch, so a test can
    /// wait until the app holds the feed's `seq`.
    pub seq: RwSignal<Option<u64>>,
    /// Browser time (ms) of the latest update that changed the counts.
    pub last_update: RwSignal<Option<f64>>,
    /// Every alert kept, in board order (firing first, worst first).
    pub board: RwSignal<Vec<Alert>>,
    pub counts: RwSignal<AlertCounts>,
    /// The shared acks, silences and maintenance windows (the feed's).
    pub ops: RwSignal<Ops>,
    /// The nodes in maintenance now.
    pub maintenance: RwSignal<Vec<NodeId>>,
    /// The node `details` and `identities` are about (the page's
    /// selection may have moved on since it asked).
    pub details_of: RwSignal<Option<NodeId>>,
    /// The selected node's facts (see [`Command::Select`]).
    pub details: RwSignal<Option<NodeDetails>>,
    /// The identities behind the selected node's badge, while open.
    pub identities: RwSignal<Vec<IdentityRow>>,
    /// The time-travel moment held and shown (ns), `None` while live and
    /// until a first moment is held (a later one may still be on its way).
    pub moment: RwSignal<Option<i64>>,
    /// Why the moment asked for could not be shown.
    pub travel_error: RwSignal<Option<String>>,
    /// The network at that moment, its counts and the alerts that held.
    pub past: RwSignal<Topology>,
    pub past_summary: RwSignal<Option<Summary>>,
    pub past_alerts: RwSignal<Option<Vec<Alert>>>,
    /// Bumped when names change (they are read through [`LiveStore::name`]).
    names: RwSignal<u64>,
    /// Bumped when alerts fired (taken with [`LiveStore::take_fired`]).
    fired: RwSignal<u64>,
}

impl Default for LiveStore {
    fn default() -> Self {
        Self::new()
    }
}

impl LiveStore {
    /// An empty store, connected to nothing.
    pub fn new() -> Self {
        LiveStore {
            inner: StoredValue::new_local(RefCell::new(Inner { view: View::default(), post: None, fired: Vec::new() })),
            status: RwSignal::new(FeedStatus::Connecting),
            beats: RwSignal::new(Beats::Unknown),
            summary: RwSignal::new(Summary::default()),
            topology: RwSignal::new(Topology::default()),
            recent: RwSignal::new(Vec::new()),
            stats: RwSignal::new(ClientStats::default()),
            seq: RwSignal::new(None),
            last_update: RwSignal::new(None),
            board: RwSignal::new(Vec::new()),
            counts: RwSignal::new(AlertCounts::default()),
            ops: RwSignal::new(Ops::default()),
            maintenance: RwSignal::new(Vec::new()),
            details_of: RwSignal::new(None),
            details: RwSignal::new(None),
            identities: RwSignal::new(Vec::new()),
            moment: RwSignal::new(None),
            travel_error: RwSignal::new(None),
            past: RwSignal::new(Topology::default()),
            past_summary: RwSignal::new(None),
            past_alerts: RwSignal::new(None),
            names: RwSignal::new(0),
            fired: RwSignal::new(0),
        }
    }

    /// Sends the worker's commands through `post` from now on.
    pub fn connect(&self, post: impl Fn(&Command) + 'static) {
        self.inner.with_value(|cell| cell.borrow_mut().post = Some(Box::new(post)));
    }

    /// Tells the worker something (nothing when there is none).
    pub fn send(&self, cmd: Command) {
        let _ = self.inner.try_with_value(|cell| {
            if let Some(post) = &cell.borrow().post {
                post(&cmd);
            }
        });
    }

    /// Applies the worker's next update and publishes what changed; the
    /// benchmark marks that rode along are set here.
    pub fn apply(&self, mut u: sync::Update) -> Result<(), OutOfOrder> {
        // The page's topology is the signal's: the delta applies in place
        // (one copy of a 2,000-node map, not two).
        let delta = u.topology.take();
        let past = u.past.take();
        let p = u.parts.clone();
        let names = !u.names.is_empty();
        let riders =
            self.inner.try_with_value(|cell| cell.borrow_mut().view.apply(u)).unwrap_or(Ok(Default::default()))?;
        if let Some(d) = delta {
            self.topology.update(|t| d.apply(t));
        }
        if let Some(d) = past {
            self.past.update(|t| d.apply(t));
        }
        set(self.status, p.status);
        set(self.beats, p.beats);
        set(self.summary, p.summary);
        set(self.recent, p.recent);
        set(self.stats, p.stats);
        set(self.seq, p.seq);
        set(self.last_update, p.last_update);
        set(self.board, p.board);
        set(self.counts, p.counts);
        set(self.ops, p.ops);
        set(self.maintenance, p.maintenance);
        set(self.details_of, p.selected);
        set(self.details, p.details);
        set(self.identities, p.identities);
        set(self.moment, p.moment);
        set(self.travel_error, p.travel_error);
        set(self.past_summary, p.past_summary);
        set(self.past_alerts, p.past_alerts);
        if names {
            self.names.update(|n| *n += 1);
        }
        for (m, at) in &riders.marks {
            mark(*m, *at);
        }
        if !(riders.fired.is_empty() && riders.quiet.is_empty()) {
            let fired = riders.fired.into_iter().map(|a| (a, false)).chain(riders.quiet.into_iter().map(|a| (a, true)));
            self.inner.with_value(|cell| cell.borrow_mut().fired.extend(fired));
            self.fired.update(|n| *n += 1);
        }
        Ok(())
    }

    /// The update the page applied last.
    pub fn applied(&self) -> u64 {
        // `try_`: a frame or a timer may come after the store is gone.
        self.inner.try_with_value(|cell| cell.borrow().view.n).unwrap_or(0)
    }

    /// Alerts that fired since the last call, each with whether it fired
    /// silenced (tracked: an effect that calls it runs again when more fire).
    pub fn take_fired(&self) -> Vec<(Alert, bool)> {
        self.fired.track();
        self.inner.with_value(|cell| std::mem::take(&mut cell.borrow_mut().fired))
    }

    /// The feed's time now: its clock as last reported, plus the time
    /// passed here since (the browser's own clock before any report).
    pub fn now(&self) -> Timestamp {
        let now = epoch_ms();
        let clock = self.inner.try_with_value(|cell| cell.borrow().view.clock).flatten();
        clock.map_or_else(|| Timestamp::from_millis(now), |c| c.now(now))
    }

    /// What a person reads for a router or an identity: its name, once the
    /// worker sent it (see [`LiveStore::want_names`]), else its id. Tracked.
    pub fn name(&self, entity: EntityType, id: &str) -> String {
        self.names.track();
        self.inner.with_value(|cell| cell.borrow().view.name(entity, id).to_owned())
    }

    /// A change in words, routers and identities by name. Tracked.
    pub fn label(&self, change: &Change) -> zitiscope_core::store::ChangeLabel {
        self.names.track();
        self.inner.with_value(|cell| {
            let inner = cell.borrow();
            change.label_with(&|t, id| inner.view.name(t, id).to_owned())
        })
    }

    /// Asks the worker to keep these routers' and identities' names.
    pub fn want_names(&self, of: Vec<(EntityType, String)>) {
        if !of.is_empty() {
            self.send(Command::Names { of });
        }
    }

    /// Whether an alert is silenced now. Tracked.
    pub fn is_silenced(&self, key: &AlertKey) -> bool {
        let now = self.now();
        self.ops.with(|o| o.silence_for(key, now).is_some())
    }

    /// The same, untracked (for timers).
    pub fn is_silenced_untracked(&self, key: &AlertKey) -> bool {
        let now = self.now();
        self.ops.with_untracked(|o| o.silence_for(key, now).is_some())
    }
}

/// Publishes a part that changed; an equal value wakes nothing.
fn set<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: Option<T>) {
    if let Some(v) = value {
        if signal.with_untracked(|old| *old != v) {
            signal.set(v);
        }
    }
}

/// A performance mark for the benchmarks (`bench/map.mjs`) at `at_ms` on
/// the shared epoch clock (when the worker saw it happen), replacing any
/// earlier one of the same name, so reconnects over days never pile up.
/// (`performance.mark`'s `startTime` option is unstable in web-sys.)
fn mark(m: Mark, at_ms: f64) {
    let Some(p) = window().performance() else { return };
    p.clear_marks_with_mark_name(m.name());
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"startTime".into(), &(at_ms - p.time_origin()).max(0.0).into());
    let mark = js_sys::Reflect::get(&p, &"mark".into()).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let Some(f) = mark {
        let _ = f.call2(&p, &m.name().into(), &options);
    }
}
