//! [`Engine`]: everything the worker does that is not I/O. The worker's
//! own code opens the stream, runs the timers and posts messages; the
//! engine takes the feed's messages, the connection's state, the page's
//! commands and the time (always passed in, in ms on the shared epoch
//! clock, `performance.timeOrigin + performance.now()`), and gives
//! the page's [`Update`]s.
//!
//! What it costs when:
//! - A message is applied to the store as it arrives: the worker has no
//!   frame to wait for, and the page never waits on it.
//! - The view is built only when the page asked for an update (an ask for
//!   its next frame builds at once, and again, cheaply, when due). The
//!   cheap parts (counters, counts, recent changes, names) follow every
//!   change; the topology is rebuilt at most every [`TOPOLOGY_EVERY_MS`]
//!   (each rebuild is also a redraw of the map's data on the page), and at
//!   least every [`TOPOLOGY_TICK_MS`] ("recently dropped" depends on time).
//! - The alert engine evaluates after a topology rebuild, at most every
//!   [`EVALUATE_EVERY_MS`], and on every [`Engine::tick`] (once a second,
//!   for the rules of time: a stale feed, a source down for long).

use super::{ClockAnchor, Command, FeedStatus, Mark, Mirror, Name, Travel, Update, View};
use crate::alerts::{alerts_at, AlertConfig, AlertEngine, FeedHealth, Notice, SourceDown};
use crate::client::{Beats, RecentChanges, ServerClock};
use crate::event::Event;
use crate::layout::NodeId;
use crate::ops::Ops;
use crate::replay::{Replay, Step};
use crate::store::StoreState;
use crate::{EntityType, FeedClient, Timestamp};
use std::collections::BTreeSet;

/// The least time between two topology rebuilds, in ms.
pub const TOPOLOGY_EVERY_MS: f64 = 100.0;
/// The topology is rebuilt at least this often, in ms.
pub const TOPOLOGY_TICK_MS: f64 = 5_000.0;
/// The least time between two evaluations driven by topology rebuilds.
pub const EVALUATE_EVERY_MS: f64 = 250.0;
/// Names asked for that are kept: past it, the oldest asks are forgotten
/// (the page asks again for what it shows).
pub const NAMES_CAP: usize = 5_000;

/// See the module docs.
pub struct Engine {
    client: FeedClient,
    recent: RecentChanges,
    alerts: AlertEngine,
    mirror: Mirror,
    /// The view as last built (what the next update compares with).
    view: View,
    /// The feed's clock, on the shared epoch clock.
    clock: ServerClock,
    clock_reports: u64,
    selected: Option<NodeId>,
    identities_open: bool,
    /// Names the page asked for, in asking order (for the cap).
    wanted: Vec<(EntityType, String)>,
    /// When the connection last went live or stopped being live.
    status_since: Option<Timestamp>,
    /// What is owed to the next view.
    due: Due,
    /// The server asked for a fresh connection.
    reconnect: bool,
    /// Time travel (see `travel.rs`).
    travel: Travel,
    /// The feed's shared alert state (acks, silences, windows), and when
    /// what is in maintenance was last worked out, for which windows.
    ops: Ops,
    maintenance_at: Option<(Timestamp, Vec<String>)>,
    /// Whether the page gave its thresholds and silences (see
    /// [`Engine::listening`]): until then no alert is judged.
    armed: bool,
}

/// What the next view must rebuild, and when parts were last built (ms).
#[derive(Default)]
struct Due {
    changed: bool,
    stats: bool,
    topology: bool,
    topology_at: Option<f64>,
    evaluate: bool,
    evaluated_at: Option<f64>,
    names: bool,
    details: bool,
    travel: bool,
}

impl Engine {
    /// An engine with these thresholds.
    pub fn new(alerts: AlertConfig) -> Self {
        let client = FeedClient::new();
        let recent = RecentChanges::subscribe(client.changes());
        let engine = AlertEngine::new(alerts);
        let due = Due { topology: true, evaluate: true, ..Due::default() };
        Engine {
            client,
            recent,
            alerts: engine,
            mirror: Mirror::new(),
            view: View::default(),
            clock: ServerClock::default(),
            clock_reports: 0,
            selected: None,
            identities_open: false,
            wanted: Vec::new(),
            status_since: None,
            due,
            reconnect: false,
            travel: Travel::default(),
            ops: Ops::default(),
            maintenance_at: None,
            armed: true,
        }
    }

    /// An engine that takes the stream before the page said anything (the
    /// worker starts with the page, and the page's wasm loads meanwhile):
    /// it applies everything, and judges no alert until [`Engine::arm`]
    /// gives it the page's thresholds (an alert judged by the defaults
    /// could toast when the page's own say it should not).
    pub fn listening() -> Self {
        Engine { armed: false, ..Engine::new(AlertConfig::default()) }
    }

    /// The page's thresholds; alerts are judged from now on.
    pub fn arm(&mut self, alerts: AlertConfig) {
        self.alerts.set_config(alerts);
        self.armed = true;
        self.due.evaluate = true;
        self.due.travel = true;
    }

    /// One SSE message, applied now.
    pub fn message(&mut self, event: &str, id: &str, data: &str, now_ms: f64) {
        let r = self.client.on_message(event, id, data);
        self.reconnect |= r.reconnect;
        if let Some(ops) = self.client.take_ops() {
            self.alerts.set_answers(ops.answers());
            self.ops = ops;
            self.maintenance_at = None;
            self.due.evaluate = true;
            self.due.travel = true;
        }
        self.due.stats = true;
        if r.changed {
            self.due.changed = true;
            self.view.last_update = Some(now_ms);
        }
        if let Some((at, n)) = self.client.stats().server_time {
            if n != self.clock_reports {
                self.clock_reports = n;
                self.clock.observe(at, now_ms);
            }
        }
    }

    /// A benchmark mark, at `at_ms` (the shared epoch clock), for the page
    /// to set on its own timeline when the next update comes.
    pub fn mark(&mut self, mark: Mark, at_ms: f64) {
        self.mirror.mark(mark, at_ms);
    }

    /// The connection's state, as the worker's stream follows it.
    pub fn connection(&mut self, status: FeedStatus, beats: Beats, now_ms: f64) {
        let live = |s: FeedStatus| s == FeedStatus::Live;
        if live(status) != live(self.view.status) || self.status_since.is_none() {
            self.status_since = Some(self.now(now_ms));
            self.due.evaluate = true;
        }
        if beats != self.view.beats {
            self.due.evaluate = true;
        }
        self.view.status = status;
        self.view.beats = beats;
    }

    /// A command of the page (`Start` is the worker's: it opens the stream).
    pub fn command(&mut self, cmd: Command, now_ms: f64) {
        match cmd {
            Command::Start { .. } => {}
            Command::Ready { applied, send_at } => {
                self.mirror.ready(applied, send_at);
                // An ask for later: the costly parts (a map rebuild, an
                // evaluation) are built now, while the page draws, so that
                // the update leaves on time with only the cheap parts left.
                if self.mirror.asked_for(now_ms).is_some() {
                    self.build(now_ms);
                }
            }
            Command::Settings { alerts, .. } => {
                self.alerts.set_config(alerts);
                self.due.evaluate = true;
                // The past is judged by the thresholds in force.
                self.due.travel = true;
            }
            Command::Travel { at, exact } => {
                self.travel.aim(at, exact);
                self.due.travel = true;
            }
            Command::Select { node, identities } => {
                self.selected = node;
                self.identities_open = identities;
                self.due.details = true;
            }
            Command::Names { of } => {
                // Each once, and a name asked again is the newest ask.
                let mut asked = BTreeSet::new();
                let of: Vec<_> = of.into_iter().filter(|k| asked.insert(k.clone())).collect();
                self.wanted.retain(|k| !asked.contains(k));
                self.wanted.extend(of);
                let excess = self.wanted.len().saturating_sub(NAMES_CAP);
                self.wanted.drain(..excess);
                self.due.names = true;
            }
        }
    }

    /// What time travel needs fetched next (see `travel.rs`), if anything.
    pub fn travel_next(&self) -> Option<Step> {
        self.travel.next()
    }

    /// The state at `at` for time travel arrived.
    pub fn travel_state(&mut self, at: i64, state: StoreState) {
        self.due.travel |= self.travel.state(at, state);
    }

    /// A time-travel read's events arrived (`None`: too many for a step).
    pub fn travel_events(&mut self, events: Option<Vec<Event>>, to: i64) {
        self.due.travel |= self.travel.events(events, to);
    }

    /// A time-travel fetch failed.
    pub fn travel_failed(&mut self, error: String) {
        self.travel.failed(error);
        self.due.travel = true;
    }

    /// Once a second: the rules of time, ages, "recently dropped".
    pub fn tick(&mut self, now_ms: f64) {
        self.due.evaluate = true;
        self.due.details = true;
        if self.due.topology_at.is_none_or(|t| now_ms - t >= TOPOLOGY_TICK_MS) {
            self.due.topology = true;
        }
    }

    /// Whether the server asked for a fresh connection (once).
    pub fn take_reconnect(&mut self) -> bool {
        std::mem::take(&mut self.reconnect)
    }

    /// Where a new connection should continue (`?since=`), if anywhere.
    pub fn resume_point(&self) -> Option<String> {
        self.client.resume_point().map(|p| p.to_string())
    }

    /// Whether the page waits for an update at `now_ms`.
    pub fn asked(&self, now_ms: f64) -> bool {
        self.mirror.asked(now_ms)
    }

    /// When the page's ask comes due, if it is still to come: the worker
    /// calls [`Engine::update`] again then.
    pub fn asked_for(&self, now_ms: f64) -> Option<f64> {
        self.mirror.asked_for(now_ms)
    }

    /// When a rebuild held back by [`TOPOLOGY_EVERY_MS`] is allowed (ms),
    /// if one is: the worker calls [`Engine::update`] again then.
    pub fn held_until(&self) -> Option<f64> {
        let owed = self.due.topology || self.due.changed;
        owed.then(|| self.due.topology_at.map_or(0.0, |t| t + TOPOLOGY_EVERY_MS))
    }

    /// The feed's time at `now_ms` (the local clock before the feed said it).
    pub fn now(&self, now_ms: f64) -> Timestamp {
        self.clock.now(now_ms).unwrap_or_else(|| Timestamp::from_millis(now_ms))
    }

    /// The store (for the worker's tests and the benchmarks).
    pub fn client(&self) -> &FeedClient {
        &self.client
    }

    /// The next update for the page, if it asked and anything differs.
    pub fn update(&mut self, now_ms: f64) -> Option<Update> {
        if !self.mirror.asked(now_ms) {
            return None;
        }
        self.build(now_ms);
        self.mirror.update(&self.view, now_ms)
    }

    /// Brings the view up to date, as far as the throttles allow.
    fn build(&mut self, now_ms: f64) {
        let now = self.now(now_ms);
        let store = self.client.store();
        let v = &mut self.view;
        if std::mem::take(&mut self.due.stats) {
            v.stats.clone_from(self.client.stats());
            v.seq = self.client.last_seq();
        }
        v.clock = self.clock.anchor().map(|(at, ms)| ClockAnchor { at, epoch_ms: ms });
        if self.due.changed {
            v.summary = store.summary();
            self.due.topology = true;
            self.due.names = true;
        }
        let rebuild = self.due.topology && self.due.topology_at.is_none_or(|t| now_ms - t >= TOPOLOGY_EVERY_MS);
        if rebuild {
            v.topology = store.topology(now);
            self.due.topology = false;
            self.due.changed = false;
            self.due.topology_at = Some(now_ms);
            self.due.details = true;
            self.due.evaluate |= self.due.evaluated_at.is_none_or(|t| now_ms - t >= EVALUATE_EVERY_MS);
        }
        if self.recent.refresh() {
            v.recent = self.recent.iter().cloned().collect();
            self.due.names = true;
        }
        if std::mem::take(&mut self.due.names) {
            v.names = names(store, v.recent.iter().flat_map(|c| c.entities().into_iter().flatten()), &self.wanted);
        }
        if std::mem::take(&mut self.due.travel) {
            let held = self.travel.held();
            v.moment = held.map(Replay::at);
            v.travel_error = self.travel.error().cloned();
            v.past = held.map(|r| r.store().topology(r.now())).unwrap_or_default();
            v.past_summary = held.map(|r| r.store().summary());
            v.past_alerts = held.map(|r| alerts_at(self.alerts.config(), r.store(), r.now(), self.alerts.answers()));
            self.due.details = true;
        }
        if std::mem::take(&mut self.due.details) {
            // Travelling, the facts are the moment's (none until it is held).
            let (store, at) = match (self.travel.target(), self.travel.held()) {
                (None, _) => (Some(store), now),
                (Some(_), Some(r)) => (Some(r.store()), r.now()),
                (Some(_), None) => (None, now),
            };
            v.selected.clone_from(&self.selected);
            v.details = store.zip(self.selected.as_ref()).and_then(|(s, n)| s.node_details(n, at));
            v.identities = match (store, &self.selected, self.identities_open) {
                (Some(s), Some(n), true) => s.identities_at(n, at),
                _ => Vec::new(),
            };
        }
        if self.armed && std::mem::take(&mut self.due.evaluate) {
            self.due.evaluated_at = Some(now_ms);
            let judged = v.beats.judged();
            let stats = self.client.stats();
            let feed = FeedHealth {
                connected: v.status == FeedStatus::Live,
                since: self.status_since.unwrap_or(now),
                // No heartbeat to miss: an older feed's last one says nothing now.
                last_heard: stats.server_time.map(|(t, _)| t).filter(|_| judged),
                sources_down: SourceDown::from_counters(&stats.feed_sources),
            };
            refresh_maintenance(&mut self.alerts, &self.ops, &mut self.maintenance_at, &v.topology, now);
            let notices = self.alerts.evaluate(store, &v.topology, Some(&feed), now);
            let fired = |quiet: bool| {
                notices.iter().filter_map(move |n| match n {
                    Notice::Fired { key, silenced } if *silenced == quiet => Some(key),
                    _ => None,
                })
            };
            self.mirror.fired(fired(false).filter_map(|k| self.alerts.get(k).cloned()));
            self.mirror.quiet(fired(true).filter_map(|k| self.alerts.get(k).cloned()));
            v.board = self.alerts.board("").into_iter().cloned().collect();
            v.counts = self.alerts.counts(now);
            if v.ops != self.ops {
                v.ops = self.ops.clone();
            }
            v.maintenance = self.alerts.maintenance().nodes.keys().cloned().collect();
        }
    }
}

/// Works out what is in maintenance at `now` for the alert engine, from
/// the windows of `ops` over the topology `t`: at once after the windows
/// changed or one began or ended, else every [`MAINTENANCE_EVERY_NS`]
/// (the nodes a filter passes change); `last` is when it last was, for
/// which windows.
fn refresh_maintenance(
    alerts: &mut AlertEngine,
    ops: &Ops,
    last: &mut Option<(Timestamp, Vec<String>)>,
    t: &crate::store::Topology,
    now: Timestamp,
) {
    let holding: Vec<String> = ops.holding(now).map(|w| w.name.clone()).collect();
    if holding.is_empty() {
        alerts.set_maintenance(Default::default());
        *last = None;
        return;
    }
    let fresh =
        last.as_ref().is_some_and(|(at, names)| now.0.saturating_sub(at.0) < MAINTENANCE_EVERY_NS && *names == holding);
    if !fresh {
        let rows = t.rows_where(|_| true, crate::store::SortBy::Name, true);
        alerts.set_maintenance(ops.in_maintenance(&rows, now));
        *last = Some((now, holding));
    }
}

/// How often what is in maintenance is worked out again while a window
/// holds (ns).
pub const MAINTENANCE_EVERY_NS: i64 = 5_000_000_000;

/// The names the page reads: of `subjects` and of `wanted`, those the
/// inventory names (an unnamed one reads as its id anyway), sorted.
fn names<'a>(
    store: &crate::Store,
    subjects: impl Iterator<Item = (EntityType, &'a str)>,
    wanted: &'a [(EntityType, String)],
) -> Vec<Name> {
    let keys: BTreeSet<(EntityType, &str)> = subjects
        .chain(wanted.iter().map(|(t, id)| (*t, id.as_str())))
        .filter(|(t, _)| *t != EntityType::Controller)
        .collect();
    keys.into_iter()
        .filter_map(|(t, id)| store.info(t, id).map(|i| Name { entity: t, id: id.to_owned(), name: i.name.clone() }))
        .collect()
}
