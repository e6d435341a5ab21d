//! The protocol between the worker that listens and the page that draws.
//!
//! The worker holds the feed connection, the store, the alert engine and
//! time travel; the page holds a [`View`]: exactly what it shows of them.
//! The worker keeps the view it last sent in a [`Mirror`], and sends the
//! page [`Update`]s: what differs from it.
//!
//! **The invariant:** a page that applied updates `1..=n`, each once and in
//! order, holds the view the worker built update `n` from. (The native
//! test `sync::tests` applies every update, through JSON, to an empty
//! page and compares.)
//!
//! The rules:
//! - **Asked for, one at a time.** The page says [`Command::Ready`] with the
//!   last update it applied, when it is ready to draw the next; the worker
//!   sends nothing else meanwhile. A busy page therefore costs the worker
//!   nothing: it goes on applying events, and the next update carries
//!   everything that changed since, however much that was.
//! - **Sent in time for the page's next frame.** The page asks at the
//!   start of a frame, and says when the update must leave to be applied
//!   before the next one ([`FramePace`]); the worker gathers until then, so
//!   an event that arrives during the frame is drawn in the next, as on a
//!   page that parsed it itself.
//! - **Only what differs.** Each part of the view crosses only when it
//!   changed; the topology's nodes and edges and the names cross as
//!   [`ListDelta`]s, never as the whole list.
//! - **Events ride along.** What is not state (an alert that fired: a
//!   toast, a sound; a benchmark mark) is queued in the mirror and leaves
//!   with the next update, each exactly once.
//! - **A new page is a new worker.** Nothing is resumed across a reload:
//!   the first update carries the whole view.

mod delta;
mod engine;
#[cfg(test)]
mod engine_tests;
mod mirror;
mod pace;
mod parts;
#[cfg(test)]
mod tests;
mod travel;

pub use delta::{EdgeKey, Keyed, ListDelta, Name};
pub use engine::{Engine, EVALUATE_EVERY_MS, NAMES_CAP, TOPOLOGY_EVERY_MS, TOPOLOGY_TICK_MS};
pub use mirror::Mirror;
pub use pace::FramePace;
pub use parts::Parts;
pub use travel::Travel;

use crate::alerts::{Alert, AlertConfig, AlertCounts};
use crate::client::Beats;
use crate::layout::NodeId;
use crate::ops::Ops;
use crate::store::topology::{ControllerNode, Edge, RouterNode};
use crate::store::{IdentityRow, NodeDetails, Summary, Topology};
use crate::{Change, ClientStats, EntityType, Timestamp};
use serde::{Deserialize, Serialize};

/// The worker's first message, once it listens: a page's messages before
/// it would be lost (the worker's wasm loads asynchronously), so the page
/// sends [`Command::Start`] when it hears this. Every later message is an
/// [`Update`] in JSON.
pub const HELLO: &str = "hello";

/// Where the feed connection stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FeedStatus {
    /// Opening a connection; nothing received on it yet.
    #[default]
    Connecting,
    /// Its snapshot (or resume) arrived on the current stream; or, for a
    /// feed that sends no heartbeat, the stream is open.
    Live,
    /// The connection failed; the next attempt starts at `at_ms` (on the
    /// shared epoch clock, see [`ClockAnchor`]).
    Reconnecting { at_ms: f64, attempt: u32 },
}

/// The feed's clock: it said `at` when the shared epoch clock
/// (`performance.timeOrigin + performance.now()`, in ms, the same in the
/// worker and on the page) read `epoch_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClockAnchor {
    pub at: Timestamp,
    pub epoch_ms: f64,
}

impl ClockAnchor {
    /// The feed's time at epoch ms `epoch_ms` (a clock that went back
    /// counts as no time passed).
    pub fn now(&self, epoch_ms: f64) -> Timestamp {
        let elapsed_ns = ((epoch_ms - self.epoch_ms).max(0.0) * 1e6) as i64;
        Timestamp(self.at.0.saturating_add(elapsed_ns))
    }
}

/// What the page shows of the worker's state (see the module docs).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct View {
    /// The update it was built from (0: none yet).
    pub n: u64,
    /// The connection's state.
    pub status: FeedStatus,
    /// What the feed has shown of its heartbeat.
    pub beats: Beats,
    /// Stream counters.
    pub stats: ClientStats,
    /// The sequence of the last applied snapshot or batch.
    pub seq: Option<u64>,
    /// When the latest update that changed the counts came (the shared
    /// epoch clock, see [`ClockAnchor`]).
    pub last_update: Option<f64>,
    /// The feed's clock, once it said the time.
    pub clock: Option<ClockAnchor>,
    /// Online/total per entity type.
    pub summary: Summary,
    /// The map's nodes and edges.
    pub topology: Topology,
    /// Recent real changes, newest first.
    pub recent: Vec<Change>,
    /// Names of routers and identities the page reads (the subjects of
    /// `recent`, and those it asked for with [`Command::Names`]), sorted.
    pub names: Vec<Name>,
    /// Every alert kept, firing first, worst first.
    pub board: Vec<Alert>,
    pub counts: AlertCounts,
    /// The shared acks, silences and maintenance windows (the feed's).
    pub ops: Ops,
    /// The nodes in maintenance now.
    pub maintenance: Vec<NodeId>,
    /// The node `details` and `identities` are about ([`Command::Select`]):
    /// the page's selection may have moved on since.
    pub selected: Option<NodeId>,
    /// The selected node's facts.
    pub details: Option<NodeDetails>,
    /// The identities behind the selected node's badge, while its list is
    /// open. (Both are of the moment shown while travelling.)
    pub identities: Vec<IdentityRow>,
    /// The time-travel moment held and shown (ns): `None` while live and
    /// until a first moment is held (a later one may still be on its way).
    pub moment: Option<i64>,
    /// Why the moment asked for could not be shown.
    pub travel_error: Option<String>,
    /// The network at the moment held (empty while live).
    pub past: Topology,
    pub past_summary: Option<Summary>,
    /// The alerts whose conditions held at that moment, worst first.
    pub past_alerts: Option<Vec<Alert>>,
}

impl View {
    /// What a person reads for a router or an identity: the name the page
    /// holds, else its id.
    pub fn name<'a>(&'a self, entity: EntityType, id: &'a str) -> &'a str {
        let i = self.names.binary_search_by(|n| (n.entity, n.id.as_str()).cmp(&(entity, id)));
        i.map_or(id, |i| self.names[i].name.as_str())
    }

    /// Applies update `u`, which must be the next one; returns what rode
    /// along with it. An update out of order changes nothing.
    pub fn apply(&mut self, u: Update) -> Result<Riders, OutOfOrder> {
        if u.n != self.n + 1 {
            return Err(OutOfOrder { held: self.n, got: u.n });
        }
        self.n = u.n;
        u.parts.apply(self);
        if let Some(t) = u.topology {
            t.apply(&mut self.topology);
        }
        if let Some(t) = u.past {
            t.apply(&mut self.past);
        }
        u.names.apply(&mut self.names);
        Ok(u.riders)
    }
}

/// An update that is not the next one: a bug, or a page that missed one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfOrder {
    pub held: u64,
    pub got: u64,
}

impl std::fmt::Display for OutOfOrder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "update {} arrived after update {}", self.got, self.held)
    }
}

/// The topology's change.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TopologyDelta {
    #[serde(default)]
    pub controllers: ListDelta<ControllerNode>,
    #[serde(default)]
    pub routers: ListDelta<RouterNode>,
    #[serde(default)]
    pub edges: ListDelta<Edge>,
}

impl TopologyDelta {
    /// What turns `old` into `new`; `None` when they are equal.
    pub fn between(old: &Topology, new: &Topology) -> Option<Self> {
        let d = TopologyDelta {
            controllers: ListDelta::between(&old.controllers, &new.controllers),
            routers: ListDelta::between(&old.routers, &new.routers),
            edges: ListDelta::between(&old.edges, &new.edges),
        };
        (!(d.controllers.is_empty() && d.routers.is_empty() && d.edges.is_empty())).then_some(d)
    }

    /// Applies it to `t`.
    pub fn apply(self, t: &mut Topology) {
        self.controllers.apply(&mut t.controllers);
        self.routers.apply(&mut t.routers);
        self.edges.apply(&mut t.edges);
    }
}

/// What is not state and leaves with an update, each once.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Riders {
    /// Alerts that fired (unsilenced), for toasts, sound and notifications.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fired: Vec<Alert>,
    /// Alerts that fired silenced: no toast, but an ack this browser
    /// remembers from before a reload still applies to them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quiet: Vec<Alert>,
    /// Benchmark marks, in the order they happened, each with its time on
    /// the shared epoch clock (the page sets them at that time).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub marks: Vec<(Mark, f64)>,
}

impl Riders {
    /// Whether nothing rides.
    pub fn is_empty(&self) -> bool {
        self.fired.is_empty() && self.quiet.is_empty() && self.marks.is_empty()
    }
}

/// A moment the benchmarks time (`performance.mark` on the page).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mark {
    SnapshotReceived,
    SnapshotApplied,
}

impl Mark {
    /// The mark's name on the page's timeline.
    pub fn name(self) -> &'static str {
        match self {
            Mark::SnapshotReceived => "zitiscope:snapshot-received",
            Mark::SnapshotApplied => "zitiscope:snapshot-applied",
        }
    }
}

/// One message from the worker to the page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Update {
    /// 1 for the first, then one more each time.
    pub n: u64,
    /// The parts of the view that changed, whole. Nested, not flattened:
    /// a flattened field makes serde buffer the whole message into a
    /// generic tree and read every part a second time from it (slower, and
    /// a second decoder of each part's type in the page's wasm).
    #[serde(default, skip_serializing_if = "Parts::is_empty")]
    pub parts: Parts,
    /// The topology's change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topology: Option<TopologyDelta>,
    /// The past topology's change (time travel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub past: Option<TopologyDelta>,
    /// The names' change.
    #[serde(default)]
    pub names: ListDelta<Name>,
    #[serde(default)]
    pub riders: Riders,
}

/// What the page tells the worker. Externally tagged, as [`FeedStatus`]
/// is: an internally tagged enum is buffered into a generic tree before
/// serde reads it (slower, and more code in each wasm).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Command {
    /// Connect to the feed at `url` (the first command).
    Start {
        url: String,
        /// The feed's heartbeat period (the watchdog and the stale rules).
        heartbeat_ms: f64,
        alerts: AlertConfig,
    },
    /// The page applied update `applied` and is ready for the next, to be
    /// sent at `send_at` (ms on the shared epoch clock; see [`FramePace`])
    /// with what changed until then, or at once if `None` or past.
    Ready {
        applied: u64,
        #[serde(default)]
        send_at: Option<f64>,
    },
    /// New settings (from `config.json`).
    Settings { heartbeat_ms: f64, alerts: AlertConfig },
    /// Show this node's facts (and its identities, if `identities`).
    Select { node: Option<NodeId>, identities: bool },
    /// Keep these routers' and identities' names in the view.
    Names { of: Vec<(EntityType, String)> },
    /// Show the network at `at` (ns; `None`: live). `exact` while paused:
    /// only the state at that very moment will do.
    Travel { at: Option<i64>, exact: bool },
}
