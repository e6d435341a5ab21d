//! What the filter language can be applied to, and their fields: the map's
//! and list's nodes ([`NodeRow`]), normalised events ([`Event`]: the feed's
//! history), alerts ([`Alert`]: the board) and state changes ([`Change`]:
//! the change log).

use super::{FieldKind, FieldSpec, Filter, Schema, Subject, Value};
use crate::alerts::Alert;
use crate::event::{Body, EntityEvent, LatencyOf, SdkStatus};
use crate::layout::NodeId;
use crate::store::topology::{NodeRow, SortBy, Topology};
use crate::store::Health;
use crate::store::{Change, ChangeLabel};
use crate::{EntityType, Event};

/// A node's `state`: the words the map shows ([`Health::as_str`]), and no others.
const STATES: &[&str] = &Health::WORDS;
/// An event's `state`: a connection's (online or offline) or an SDK status's.
const EVENT_STATES: &[&str] = &["online", "offline", "unknown"];
const KINDS: &[&str] = &["router-to-ctrl", "ctrl-to-ctrl", "edge-to-ctrl", "edge-to-router"];

/// The fields of a map node (a controller or a router).
pub static NODE_SCHEMA: Schema = Schema {
    fields: &[
        FieldSpec { name: "type", kind: FieldKind::Enum(&["controller", "router"]), doc: "controller or router" },
        FieldSpec { name: "name", kind: FieldKind::Text, doc: "its name (its id while it has none)" },
        FieldSpec { name: "id", kind: FieldKind::Text, doc: "its id, as the controller names it" },
        FieldSpec { name: "attr", kind: FieldKind::Text, doc: "any of its role attributes (`attr=eu`)" },
        FieldSpec {
            name: "state",
            kind: FieldKind::Enum(STATES),
            doc: "ok, degraded, down or unknown (as the map shows it)",
        },
        FieldSpec { name: "healthy", kind: FieldKind::Bool, doc: "ok: everything it should hold is up" },
        FieldSpec { name: "identities", kind: FieldKind::Number, doc: "identities connected to it now" },
        FieldSpec { name: "lost", kind: FieldKind::Number, doc: "identities that were connected here and are not now" },
        FieldSpec {
            name: "dropped",
            kind: FieldKind::Number,
            doc: "identities that dropped within the last 5 minutes",
        },
        FieldSpec {
            name: "rest",
            kind: FieldKind::Number,
            doc: "controllers: identities seen only through its REST API",
        },
    ],
};

impl Subject for NodeRow {
    fn get(&self, field: &str) -> Option<Value<'_>> {
        Some(match field {
            "type" => Value::Text(match self.node {
                NodeId::Controller(_) => "controller",
                NodeId::Router(_) => "router",
            }),
            "name" => Value::Text(&self.name),
            "id" => Value::Text(self.node.id()),
            "attr" => Value::Many(&self.attributes),
            "state" => Value::Text(self.health.as_str()),
            "healthy" => Value::Bool(self.health == Health::Ok),
            "identities" => Value::Number(self.identities.online.into()),
            "lost" => Value::Number(self.identities.offline.into()),
            "dropped" => Value::Number(self.identities.recent.into()),
            "rest" => Value::Number(self.rest_only.into()),
            _ => return None,
        })
    }

    /// Its name, id, a role attribute or its type contains the word, or
    /// its state is it.
    fn mentions(&self, word: &str) -> bool {
        let has = |text: &str| {
            if text.chars().any(char::is_uppercase) {
                text.to_lowercase().contains(word)
            } else {
                text.contains(word)
            }
        };
        has(self.node.id())
            || has(&self.name)
            || self.attributes.iter().any(|a| has(a))
            || matches!(self.get("type"), Some(Value::Text(t)) if t.contains(word))
            || self.health.as_str() == word
    }
}

impl Topology {
    /// The list view's rows: every node `filter` passes (the filter
    /// language over [`NODE_SCHEMA`]; a bare word matches a node whose id
    /// or type contains it, or whose state it names), sorted by `by` (ties
    /// by id), reversed when `!ascending`.
    pub fn rows(&self, filter: &Filter, by: SortBy, ascending: bool) -> Vec<NodeRow> {
        self.rows_where(|row| filter.matches(row), by, ascending)
    }
}

/// A text value, or none for an empty one (a connection with one end unnamed).
fn text(s: &str) -> Option<Value<'_>> {
    (!s.is_empty()).then_some(Value::Text(s))
}

/// The fields of a normalised event.
pub static EVENT_SCHEMA: Schema = Schema {
    fields: &[
        FieldSpec {
            name: "type",
            kind: FieldKind::Enum(&["conn", "sdk", "cluster", "link", "latency", "entity"]),
            doc: "conn, sdk, cluster, link, latency or entity",
        },
        FieldSpec { name: "kind", kind: FieldKind::Enum(KINDS), doc: "a connection's kind, e.g. edge-to-router" },
        FieldSpec { name: "name", kind: FieldKind::Text, doc: "who it is about: the identity, router, link or target" },
        FieldSpec { name: "src", kind: FieldKind::Text, doc: "a connection's or link's source end" },
        FieldSpec { name: "dst", kind: FieldKind::Text, doc: "a connection's or link's destination end" },
        FieldSpec {
            name: "state",
            kind: FieldKind::Enum(EVENT_STATES),
            doc: "online or offline (connections and SDK status)",
        },
        FieldSpec { name: "up", kind: FieldKind::Bool, doc: "a connection made (not lost)" },
        FieldSpec { name: "via", kind: FieldKind::Text, doc: "the controller that reported it" },
        FieldSpec { name: "latency", kind: FieldKind::Duration, doc: "a latency sample's mean, e.g. latency>100ms" },
        FieldSpec { name: "jitter", kind: FieldKind::Duration, doc: "a latency sample's standard deviation" },
        FieldSpec {
            name: "of",
            kind: FieldKind::Enum(&["link", "ctrl", "peer"]),
            doc: "what a latency sample measures",
        },
        FieldSpec {
            name: "entity",
            kind: FieldKind::Enum(&["router", "identity"]),
            doc: "what an entity change is about",
        },
        FieldSpec {
            name: "op",
            kind: FieldKind::Enum(&["created", "updated", "deleted", "committed", "listed", "unlisted"]),
            doc: "an entity change's operation, the commit that makes one hold, or the management API's listing",
        },
        FieldSpec { name: "label", kind: FieldKind::Text, doc: "an entity change's name for the entity" },
    ],
};

impl Subject for Event {
    fn get(&self, field: &str) -> Option<Value<'_>> {
        if field == "via" {
            return self.via.as_deref().map(Value::Text);
        }
        match (&self.body, field) {
            (Body::Conn(_), "type") => Some(Value::Text("conn")),
            (Body::Sdk(_), "type") => Some(Value::Text("sdk")),
            (Body::Cluster(_), "type") => Some(Value::Text("cluster")),
            (Body::Link(_), "type") => Some(Value::Text("link")),
            (Body::Latency(_), "type") => Some(Value::Text("latency")),
            (Body::Entity(_), "type") => Some(Value::Text("entity")),
            (Body::Conn(c), "kind") => Some(Value::Text(c.kind.as_str())),
            (Body::Conn(c), "name" | "src") => text(&c.src),
            (Body::Conn(c), "dst") => text(&c.dst),
            (Body::Conn(c), "up") => Some(Value::Bool(c.up)),
            (Body::Conn(c), "state") => Some(Value::Text(if c.up { "online" } else { "offline" })),
            (Body::Sdk(s), "name") => text(&s.identity),
            (Body::Sdk(s), "state") => Some(Value::Text(match s.status {
                SdkStatus::Online => "online",
                SdkStatus::Offline => "offline",
                SdkStatus::Unknown => "unknown",
            })),
            (Body::Cluster(c), "name") => c.leader.as_deref().or(c.peers.first().map(|p| p.id.as_str())).and_then(text),
            (Body::Link(l), "name") => text(&l.link),
            (Body::Link(l), "src") => l.src.as_deref().and_then(text),
            (Body::Link(l), "dst") => l.dst.as_deref().and_then(text),
            (Body::Latency(s), "name" | "dst") => text(&s.target),
            (Body::Latency(s), "src") => text(&s.source),
            (Body::Latency(s), "latency") => Some(Value::Duration(s.mean_ns)),
            (Body::Latency(s), "jitter") => s.std_dev_ns.map(Value::Duration),
            (Body::Latency(s), "of") => Some(Value::Text(match s.of {
                LatencyOf::Link => "link",
                LatencyOf::Ctrl => "ctrl",
                LatencyOf::Peer => "peer",
            })),
            (Body::Entity(EntityEvent::Committed { .. }), "op") => Some(Value::Text("committed")),
            (Body::Entity(EntityEvent::Listed(l)), "op") => {
                Some(Value::Text(if l.deleted { "unlisted" } else { "listed" }))
            }
            (Body::Entity(EntityEvent::Listed(l)), "name") => text(&l.id),
            (Body::Entity(EntityEvent::Listed(l)), "label") => text(&l.name),
            (Body::Entity(EntityEvent::Listed(l)), "entity") => Some(Value::Text(l.entity.as_str())),
            (Body::Entity(EntityEvent::Staged(c)), "op") => Some(Value::Text(c.op.as_str())),
            (Body::Entity(EntityEvent::Staged(c)), "name") => text(&c.id),
            (Body::Entity(EntityEvent::Staged(c)), "label") => c.name.as_deref().and_then(text),
            (Body::Entity(EntityEvent::Staged(c)), "entity") => Some(Value::Text(c.entity.as_str())),
            _ => None,
        }
    }

    /// Its name, either end, its reporter or its label contains the word.
    fn mentions(&self, word: &str) -> bool {
        ["name", "src", "dst", "via", "label"]
            .iter()
            .any(|f| matches!(self.get(f), Some(Value::Text(t)) if t.to_lowercase().contains(word)))
    }
}

const RULES: &[&str] = &[
    "router-down",
    "peer-down",
    "quorum-lost",
    "leader-changed",
    "router-flapping",
    "identities-flapping",
    "mass-disconnect",
    "link-down",
    "link-latency",
    "feed-stale",
    "feed-disconnected",
    "source-down",
];

/// The fields of an alert.
pub static ALERT_SCHEMA: Schema = Schema {
    fields: &[
        FieldSpec { name: "rule", kind: FieldKind::Enum(RULES), doc: "what kind of alert, e.g. router-down" },
        FieldSpec {
            name: "severity",
            kind: FieldKind::Enum(&["critical", "major", "minor", "info"]),
            doc: "critical, major, minor or info",
        },
        FieldSpec {
            name: "state",
            kind: FieldKind::Enum(&["firing", "pending", "resolved"]),
            doc: "firing, pending or resolved",
        },
        FieldSpec { name: "name", kind: FieldKind::Text, doc: "what it is about: a router, a link, `cluster`, `feed`" },
        FieldSpec { name: "message", kind: FieldKind::Text, doc: "what it says" },
        FieldSpec { name: "acked", kind: FieldKind::Bool, doc: "someone has acknowledged it" },
        FieldSpec { name: "count", kind: FieldKind::Number, doc: "how many times it fired" },
        FieldSpec { name: "grouped", kind: FieldKind::Number, doc: "how many subjects a network-wide alert holds" },
    ],
};

impl Subject for Alert {
    fn get(&self, field: &str) -> Option<Value<'_>> {
        Some(match field {
            "rule" => Value::Text(self.key.rule.as_str()),
            "severity" => Value::Text(self.severity.as_str()),
            "state" => Value::Text(self.state.as_str()),
            "name" => Value::Text(&self.key.subject),
            "message" => Value::Text(&self.message),
            "acked" => Value::Bool(self.ack.is_some()),
            "count" => Value::Number(f64::from(self.count)),
            "grouped" => Value::Number(f64::from(self.grouped)),
            _ => return None,
        })
    }

    /// What the board's free-text filter always matched: the rule, the
    /// subject or the message contains the word, or it is the severity or
    /// the state.
    fn mentions(&self, word: &str) -> bool {
        self.matches(word)
    }
}

/// The fields of a state change.
pub static CHANGE_SCHEMA: Schema = Schema {
    fields: &[
        FieldSpec {
            name: "type",
            kind: FieldKind::Enum(&["conn", "lifecycle", "link", "sdk", "leader", "members", "read-only", "entity"]),
            doc: "what changed",
        },
        FieldSpec { name: "kind", kind: FieldKind::Enum(KINDS), doc: "a connection's kind" },
        FieldSpec { name: "name", kind: FieldKind::Text, doc: "who: `src → dst`, a link, an identity…" },
        FieldSpec { name: "state", kind: FieldKind::Text, doc: "the new state in words, e.g. disconnected" },
        FieldSpec { name: "good", kind: FieldKind::Bool, doc: "a change for the better" },
        FieldSpec {
            name: "id",
            kind: FieldKind::Text,
            doc: "who, by id: a connection's dialling end, the link, the identity, the new leader",
        },
        FieldSpec { name: "src", kind: FieldKind::Text, doc: "a connection's dialling end (router, peer, identity)" },
        FieldSpec { name: "dst", kind: FieldKind::Text, doc: "a connection's accepting end (controller, router)" },
        FieldSpec { name: "up", kind: FieldKind::Bool, doc: "connected, up, online or led now" },
    ],
};

impl Subject for Change {
    fn get(&self, field: &str) -> Option<Value<'_>> {
        Some(match (self, field) {
            (Change::Conn { .. }, "type") => Value::Text("conn"),
            (Change::Lifecycle { .. }, "type") => Value::Text("lifecycle"),
            (Change::Link { .. }, "type") => Value::Text("link"),
            (Change::Sdk { .. }, "type") => Value::Text("sdk"),
            (Change::Leader { .. }, "type") => Value::Text("leader"),
            (Change::Members { .. }, "type") => Value::Text("members"),
            (Change::ReadOnly { .. }, "type") => Value::Text("read-only"),
            (Change::Entity { .. }, "type") => Value::Text("entity"),
            (Change::Entity { id, .. }, "id") => Value::Text(id),
            (Change::Conn { key, .. } | Change::Lifecycle { key, .. }, "kind") => Value::Text(key.kind.as_str()),
            (Change::Conn { key, .. } | Change::Lifecycle { key, .. }, "id" | "src") => Value::Text(&key.src),
            (Change::Conn { key, .. } | Change::Lifecycle { key, .. }, "dst") => Value::Text(&key.dst),
            (Change::Link { link: id, .. } | Change::Sdk { identity: id, .. }, "id") => Value::Text(id),
            (Change::Leader { to: Some(leader), .. }, "id") => Value::Text(leader),
            // The dispatcher's meaning of up, so a hook's rule reads the same
            // in either form.
            (_, "up") => Value::Bool(crate::dispatch::is_up(self)?),
            // The words are the label's, made on demand.
            (_, "name") => Value::Owned(self.label().subject),
            (_, "state") => Value::Owned(self.label().state),
            (_, "good") => Value::Bool(self.label().good?),
            _ => return None,
        })
    }

    fn mentions(&self, word: &str) -> bool {
        let l = self.label();
        [l.subject.as_str(), l.state.as_str(), l.what].iter().any(|t| t.to_lowercase().contains(word))
    }
}

/// A change read as a person reads it: `name`, `state`, `good` and bare
/// words use the label that `label` makes (routers and identities by name,
/// `Store::label`), made only when the filter asks; every other field is
/// the change's own. Bare words also match the ids, so a filter finds a
/// node by either.
pub struct Named<'a> {
    pub change: &'a Change,
    pub label: &'a dyn Fn(&Change) -> ChangeLabel,
}

impl Subject for Named<'_> {
    fn get(&self, field: &str) -> Option<Value<'_>> {
        match field {
            "name" => Some(Value::Owned((self.label)(self.change).subject)),
            "state" => Some(Value::Owned((self.label)(self.change).state)),
            "good" => Some(Value::Bool((self.label)(self.change).good?)),
            _ => self.change.get(field),
        }
    }

    fn mentions(&self, word: &str) -> bool {
        let l = (self.label)(self.change);
        [l.subject.as_str(), l.state.as_str(), l.what].iter().any(|t| t.to_lowercase().contains(word))
            || self.change.mentions(word)
    }
}

/// An event read with names: its `name`, `src` and `dst` match the
/// entity's id or the name `names` gives it (so an opaque id and the name a
/// person reads both find it), and bare words look at both. Every other
/// field is the event's own.
pub struct NamedEvent<'a> {
    pub event: &'a Event,
    pub names: &'a dyn Fn(EntityType, &str) -> String,
}

impl NamedEvent<'_> {
    /// The names of the entities the event names, where they differ from
    /// the ids: `[subject, src, dst]`.
    fn named(&self) -> [Option<String>; 3] {
        self.event.entities().map(|end| {
            let (t, id) = end?;
            let name = (self.names)(t, id);
            (name != id).then_some(name)
        })
    }
}

impl Subject for NamedEvent<'_> {
    fn get(&self, field: &str) -> Option<Value<'_>> {
        let at = match field {
            "name" => 0,
            "src" => 1,
            "dst" => 2,
            _ => return self.event.get(field),
        };
        let own = self.event.get(field);
        match (&own, self.named()[at].take()) {
            (Some(Value::Text(id)), Some(name)) => Some(Value::ManyOwned(vec![id.to_string(), name])),
            _ => own,
        }
    }

    fn mentions(&self, word: &str) -> bool {
        self.event.mentions(word) || self.named().iter().flatten().any(|n| n.to_lowercase().contains(word))
    }
}
