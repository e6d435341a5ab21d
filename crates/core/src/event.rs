//! The normalised event model. Every input shape becomes one [`Event`]: a
//! time, the controller that reported it, and a [`Body`] saying what
//! happened.
//!
//! On the wire (the feed's `batch` payloads) an event is
//! `{"at":<ns>,"via":"ctrl1","body":{"conn":{"kind":"edge-to-router","src":"…","dst":"…","up":true}}}`;
//! optional fields are left out when unknown.

use crate::{ConnKind, EntityType, Timestamp};
use serde::{Deserialize, Serialize};

/// One normalised event.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Event {
    /// When it happened, by the reporter's clock.
    pub at: Timestamp,
    /// The controller that reported it (OpenZiti's `event_src_id`), when known.
    /// HA controllers each report their own copy; copies differ only here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// What happened.
    pub body: Body,
}

/// What an event says.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Body {
    /// A connection of one of the four kinds was made, was lost, or showed activity.
    Conn(ConnChange),
    /// An identity's SDK status as one controller sees it (`sdk` namespace).
    Sdk(SdkChange),
    /// Something happened in the controller cluster (`cluster` namespace).
    Cluster(ClusterChange),
    /// Something happened to a router↔router link (`link` namespace).
    Link(LinkChange),
    /// A latency sample (`metrics` namespace).
    Latency(LatencySample),
    /// A router or identity was created, changed or deleted, or such a
    /// change was committed (`entityChange` namespace).
    Entity(EntityEvent),
}

/// A connection was made (`up`), lost (`!up`), or showed activity.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ConnChange {
    pub kind: ConnKind,
    /// The dialling end: the router, the peer controller or the identity.
    pub src: String,
    /// The accepting end: the controller or the router. Empty when the
    /// input named only one end (the design note's shape).
    #[serde(default)]
    pub dst: String,
    pub up: bool,
    /// The source address as the accepting end saw it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addr: Option<String>,
}

/// An identity's SDK status, as the reporting controller tracks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SdkStatus {
    /// Connected to at least one router whose control channel is open.
    Online,
    /// Connected to no router.
    Offline,
    /// Only connected to routers that lost this controller.
    Unknown,
}

/// An `sdk` event.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SdkChange {
    pub identity: String,
    pub status: SdkStatus,
}

/// The `cluster` event types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClusterEventType {
    PeerConnected,
    PeerDisconnected,
    /// A non-member dialled in and was refused.
    PeerNotMember,
    MembersChanged,
    LeadershipGained,
    LeadershipLost,
    HasLeader,
    IsLeaderless,
    /// Members' versions differ: the cluster refuses changes.
    ReadOnly,
    ReadWrite,
}

/// A cluster member or peer.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Peer {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A `cluster` event. The reporting controller is the event's `via`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClusterChange {
    pub event: ClusterEventType,
    /// The peer (peer events) or all members (membership and leadership events).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub peers: Vec<Peer>,
    /// The leader, for `has-leader`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader: Option<String>,
    /// The raft index, for `members-changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
}

/// The `link` event types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkEventType {
    /// A router reported a link the controller did not have (dial, redial, reconnect).
    New,
    /// A re-report of a link the controller already holds.
    Known,
    /// The link's destination router is not connected to this controller.
    DisconnectedDest,
    /// The link closed.
    Fault,
    /// Both ends dialled at once; this one was dropped.
    Duplicate,
    /// A multi-underlay link's connections changed.
    ConnectionsChanged,
    /// Legacy (v1.x controller-managed links): dialled.
    Dialed,
    /// Legacy (v1.x controller-managed links): connected.
    Connected,
}

impl LinkEventType {
    /// Whether this event means the link is up (`Some(true)`), down
    /// (`Some(false)`), or says nothing about it (`None`).
    pub fn up(self) -> Option<bool> {
        match self {
            LinkEventType::New | LinkEventType::Known | LinkEventType::Connected => Some(true),
            LinkEventType::Fault | LinkEventType::Duplicate => Some(false),
            LinkEventType::DisconnectedDest | LinkEventType::ConnectionsChanged | LinkEventType::Dialed => None,
        }
    }
}

/// A `link` event. Events for links the controller does not know carry only the id.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LinkChange {
    pub link: String,
    pub event: LinkEventType,
    /// The dialling router.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src: Option<String>,
    /// The accepting router.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dst: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<i32>,
    /// How many underlay connections it has, when reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections: Option<u32>,
}

/// What a latency sample measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LatencyOf {
    /// A router↔router link (`link.latency`); the target is the link id.
    Link,
    /// A router's control channel (`ctrl.latency`); the target is the router id.
    Ctrl,
    /// A cluster peer (`peer.latency:<ctrl>`); the target is the peer's id.
    Peer,
}

/// One end's round-trip latency histogram, from a `metrics` event. All
/// values are whole nanoseconds.
///
/// A controller's `metricFilter` may keep only some statistics. `mean_ns`
/// is the one every view reads (the latency), so it is always there: the
/// histogram's mean, or its median (`p50`) when the filter kept no mean (for
/// this reservoir of round trips the two are close). The others are `None`
/// when the filter dropped them; no jitter is ever made up.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LatencySample {
    pub of: LatencyOf,
    /// The link, router or peer measured.
    pub target: String,
    /// The router or controller that measured it.
    pub source: String,
    /// The typical round trip: the mean, else the median (see above).
    pub mean_ns: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p50_ns: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p99_ns: Option<i64>,
    /// The histogram's standard deviation: the jitter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub std_dev_ns: Option<i64>,
    /// The router recorded its "no answer for over 30 s" sentinel.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unresponsive: bool,
}

/// An `entityChange` event. The controller reports a change in two steps
/// (`controller/events/dispatcher_entity_change.go`): the change itself,
/// emitted inside the database transaction (`ProcessPreCommit`), then, only
/// if the transaction commits, a `committed` event with the same `eventId`
/// (`ProcessPostCommit`, run by bbolt's `OnCommit`). A rolled-back change
/// never gets its commit. So a [`EntityEvent::Staged`] change holds only
/// once its [`EntityEvent::Committed`] has been seen, in either order
/// ([`crate::parse::Commits`] pairs them).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntityEvent {
    /// A change made inside a transaction, not yet known to hold.
    Staged(EntityChange),
    /// The transaction holding the staged change with this id committed.
    /// (The controller strips the entity type from these, so a commit
    /// names nothing but the change.)
    Committed {
        /// The change's `eventId`.
        change: String,
    },
    /// What the controller's management API listed about one entity (the
    /// feed's inventory client, `docs/controller-api.md`). It holds at
    /// once: the API answers with committed state.
    Listed(EntityListed),
}

/// One entity as a listing of the management API showed it, or its absence
/// from the listings that held it before (deleted).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EntityListed {
    /// [`EntityType::Router`] or [`EntityType::Identity`].
    pub entity: EntityType,
    pub id: String,
    /// Gone from the listings: deleted. The other fields are then empty.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Its role attributes, in the controller's order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<String>,
    /// An identity's type as the API names it (`Device`, `User`, `Router`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_type: Option<String>,
    /// A router's `isOnline`: whether the listing controller holds its
    /// control channel (`None` for identities: their state comes from
    /// their connections).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online: Option<bool>,
}

/// What happened to the entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntityOp {
    Created,
    Updated,
    Deleted,
}

impl EntityOp {
    /// The name, as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityOp::Created => "created",
            EntityOp::Updated => "updated",
            EntityOp::Deleted => "deleted",
        }
    }
}

/// A router or identity as one change left it (as it was before, for a
/// deletion), read from the controller's stored entity.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EntityChange {
    /// The controller's id for this change (`eventId`, a UUID): its commit
    /// names it. Each change has its own, even within one transaction.
    pub change: String,
    /// [`EntityType::Router`] (edge and transit routers alike) or
    /// [`EntityType::Identity`]; other entity types are skipped.
    pub entity: EntityType,
    pub op: EntityOp,
    /// The entity's id, as every other event names it.
    pub id: String,
    /// Its name (unique per entity type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its role attributes; `None` when the state does not carry them (a
    /// router that is not an edge router), empty when it has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<String>>,
    /// An identity's type as stored: `Default` (what REST calls Device,
    /// User and Service) or `Router` (a tunneler-enabled router's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_type: Option<String>,
}

impl Event {
    /// The entities the event names: its subject (its `name` field's and
    /// the exports' `name` column's entity), its `src` end and its `dst`
    /// end, each with its type; `None` where there is none, or it is no
    /// entity (a link). What an export or a filter looks up names for.
    pub fn entities(&self) -> [Option<(EntityType, &str)>; 3] {
        use EntityType::{Controller, Identity, Router};
        fn end(t: EntityType, id: &str) -> Option<(EntityType, &str)> {
            (!id.is_empty()).then_some((t, id))
        }
        match &self.body {
            Body::Conn(c) => {
                let (src, dst) = c.kind.ends();
                [end(src, &c.src), end(src, &c.src), end(dst, &c.dst)]
            }
            Body::Sdk(s) => [end(Identity, &s.identity), None, None],
            Body::Cluster(c) => {
                let who = c.leader.as_deref().or(c.peers.first().map(|p| p.id.as_str()));
                [who.and_then(|id| end(Controller, id)), None, None]
            }
            Body::Link(l) => {
                [None, l.src.as_deref().and_then(|id| end(Router, id)), l.dst.as_deref().and_then(|id| end(Router, id))]
            }
            // As the store reads them: a link's sample is measured by a router;
            // a control channel's is the router's (target) to a controller
            // (source); a peer's, between controllers.
            Body::Latency(s) => {
                let (source, target) = match s.of {
                    LatencyOf::Link => (Router, None),
                    LatencyOf::Ctrl => (Controller, Some(Router)),
                    LatencyOf::Peer => (Controller, Some(Controller)),
                };
                let target = target.and_then(|t| end(t, &s.target));
                [target, end(source, &s.source), target]
            }
            Body::Entity(EntityEvent::Staged(c)) => [end(c.entity, &c.id), None, None],
            Body::Entity(EntityEvent::Listed(l)) => [end(l.entity, &l.id), None, None],
            Body::Entity(EntityEvent::Committed { .. }) => [None; 3],
        }
    }

    /// A connection event, the commonest kind; used by sources and tests.
    pub fn conn(at: Timestamp, kind: ConnKind, src: impl Into<String>, dst: impl Into<String>, up: bool) -> Self {
        Event { at, via: None, body: Body::Conn(ConnChange { kind, src: src.into(), dst: dst.into(), up, addr: None }) }
    }

    /// The same event with a reporter.
    pub fn via(mut self, ctrl: impl Into<String>) -> Self {
        self.via = Some(ctrl.into());
        self
    }

    /// The same connection event with a source address.
    pub fn with_addr(mut self, addr: impl Into<String>) -> Self {
        if let Body::Conn(c) = &mut self.body {
            c.addr = Some(addr.into());
        }
        self
    }

    /// The connection change, if this is one.
    pub fn as_conn(&self) -> Option<&ConnChange> {
        match &self.body {
            Body::Conn(c) => Some(c),
            _ => None,
        }
    }
}
