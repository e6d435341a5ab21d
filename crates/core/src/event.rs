//! The normalised event model. Every input shape becomes one [`Event`]: a
//! time, the controller that reported it, and a [`Body`] saying what
//! happened.
//!
//! On the wire (the feed's `batch` payloads) an event is
//! `{"at":<ns>,"via":"ctrl1","body":{"conn":{"kind":"edge-to-router","src":"…","dst":"…","up":true}}}`;
//! optional fields are left out when unknown.

use crate::{ConnKind, Timestamp};
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
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LatencySample {
    pub of: LatencyOf,
    /// The link, router or peer measured.
    pub target: String,
    /// The router or controller that measured it.
    pub source: String,
    pub mean_ns: i64,
    pub p50_ns: i64,
    pub p99_ns: i64,
    /// The histogram's standard deviation: the jitter.
    pub std_dev_ns: i64,
    /// The router recorded its "no answer for over 30 s" sentinel.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unresponsive: bool,
}

impl Event {
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
