//! The connection-state store: one record per connection, entity roll-up,
//! and `apply` that reports only real changes.
//!
//! Rules (this is the first slice; the lifecycle engine extends it):
//! - a connection is keyed by (kind, src, dst);
//! - an event older than the latest one applied to its connection changes
//!   nothing, so late and replayed events cannot overwrite newer state;
//! - at an exact tie in time, "down" wins, so the result does not depend on
//!   the order in which two conflicting copies arrive;
//! - a router is online while it holds ≥1 controller connection; an identity
//!   while it holds ≥1 edge-router connection (REST activity alone only marks
//!   it as seen); a controller while it holds ≥1 router or peer connection.

use crate::wire::ConnRecord;
use crate::{ConnKind, EntityType, Event, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Identifies one connection.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ConnKey {
    pub kind: ConnKind,
    pub src: String,
    pub dst: String,
}

/// The state of one connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConnState {
    Connected,
    Disconnected,
}

impl ConnState {
    /// The state an event's `up` flag means.
    pub fn from_up(up: bool) -> Self {
        if up {
            ConnState::Connected
        } else {
            ConnState::Disconnected
        }
    }

    /// Lower-case name, for display.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnState::Connected => "connected",
            ConnState::Disconnected => "disconnected",
        }
    }
}

/// What the store knows about one connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    pub state: ConnState,
    /// The time of the first event seen for it.
    pub first_seen: Timestamp,
    /// The time of its latest state change.
    pub since: Timestamp,
    /// The time of the latest event applied to it (activity counts).
    pub last_seen: Timestamp,
    /// How many times its state has changed after it was first seen.
    pub transitions: u32,
    /// The latest source address reported for it.
    pub addr: Option<String>,
}

/// A real change of one connection's state, as `apply` reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub key: ConnKey,
    /// `None` when the connection was not known before.
    pub from: Option<ConnState>,
    pub to: ConnState,
    pub at: Timestamp,
}

/// Online and total counts for one entity type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub online: usize,
    pub total: usize,
}

impl Tally {
    /// Known entities that are not online.
    pub fn offline(&self) -> usize {
        self.total - self.online
    }
}

/// Counts per entity type, in the order of [`EntityType::ALL`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub controllers: Tally,
    pub routers: Tally,
    pub identities: Tally,
}

impl Summary {
    /// The tally for one entity type.
    pub fn get(&self, t: EntityType) -> Tally {
        match t {
            EntityType::Controller => self.controllers,
            EntityType::Router => self.routers,
            EntityType::Identity => self.identities,
        }
    }
}

/// Per entity: how many of its connections currently make it online.
#[derive(Default)]
struct EntityTable {
    live: HashMap<String, u32>,
    online: usize,
}

impl EntityTable {
    fn see(&mut self, id: &str) {
        if !id.is_empty() && !self.live.contains_key(id) {
            self.live.insert(id.to_owned(), 0);
        }
    }

    fn adjust(&mut self, id: &str, up: bool) {
        let Some(n) = self.live.get_mut(id) else {
            return;
        };
        if up {
            *n += 1;
            if *n == 1 {
                self.online += 1;
            }
        } else if *n > 0 {
            *n -= 1;
            if *n == 0 {
                self.online -= 1;
            }
        }
    }

    fn tally(&self) -> Tally {
        Tally { online: self.online, total: self.live.len() }
    }
}

/// The connection-state store. See the module docs for its rules.
#[derive(Default)]
pub struct Store {
    conns: HashMap<ConnKey, Connection>,
    entities: [EntityTable; 3],
}

impl Store {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store holding exactly the connections of a snapshot.
    pub fn from_records(records: impl IntoIterator<Item = ConnRecord>) -> Self {
        let mut store = Store::new();
        for r in records {
            let (key, conn) = r.into_parts();
            store.see_ends(&key);
            if conn.state == ConnState::Connected {
                store.count_live(&key, true);
            }
            store.conns.insert(key, conn);
        }
        store
    }

    /// Applies one event. Returns the change it made, or `None` when it
    /// changed no connection's state (a duplicate, activity on a connection
    /// that is already up, or an event older than what is already known).
    pub fn apply(&mut self, ev: &Event) -> Option<Change> {
        let key = ConnKey { kind: ev.kind, src: ev.src.clone(), dst: ev.dst.clone() };
        let new_state = ConnState::from_up(ev.up);
        let old_state = match self.conns.get_mut(&key) {
            Some(conn) => {
                let older = ev.at < conn.last_seen;
                let tie_up_after_down = ev.at == conn.last_seen && ev.up && conn.state == ConnState::Disconnected;
                if older || tie_up_after_down {
                    // Kept out of the state, but it still tells us the
                    // connection existed earlier than we thought.
                    conn.first_seen = conn.first_seen.min(ev.at);
                    return None;
                }
                conn.last_seen = ev.at;
                if ev.up && ev.addr.is_some() && conn.addr != ev.addr {
                    conn.addr.clone_from(&ev.addr);
                }
                if conn.state == new_state {
                    return None;
                }
                let old = conn.state;
                conn.state = new_state;
                conn.since = ev.at;
                conn.transitions += 1;
                Some(old)
            }
            None => {
                self.see_ends(&key);
                self.conns.insert(
                    key.clone(),
                    Connection {
                        state: new_state,
                        first_seen: ev.at,
                        since: ev.at,
                        last_seen: ev.at,
                        transitions: 0,
                        addr: ev.addr.clone(),
                    },
                );
                None
            }
        };
        match (old_state, new_state) {
            (Some(ConnState::Disconnected), ConnState::Connected) | (None, ConnState::Connected) => {
                self.count_live(&key, true)
            }
            (Some(ConnState::Connected), ConnState::Disconnected) => self.count_live(&key, false),
            _ => {}
        }
        Some(Change { key, from: old_state, to: new_state, at: ev.at })
    }

    /// The counts of online and known entities.
    pub fn summary(&self) -> Summary {
        Summary {
            controllers: self.entities[0].tally(),
            routers: self.entities[1].tally(),
            identities: self.entities[2].tally(),
        }
    }

    /// One connection's record.
    pub fn get(&self, key: &ConnKey) -> Option<&Connection> {
        self.conns.get(key)
    }

    /// How many connections are known.
    pub fn len(&self) -> usize {
        self.conns.len()
    }

    /// Whether no connection is known.
    pub fn is_empty(&self) -> bool {
        self.conns.is_empty()
    }

    /// Every connection, in no particular order.
    pub fn connections(&self) -> impl Iterator<Item = (&ConnKey, &Connection)> {
        self.conns.iter()
    }

    /// Every connection as a wire record, sorted by key so that the same
    /// state always serialises to the same snapshot.
    pub fn records(&self) -> Vec<ConnRecord> {
        let mut out: Vec<ConnRecord> = self.conns.iter().map(|(k, c)| ConnRecord::from_parts(k, c)).collect();
        out.sort_by(|a, b| (a.kind, &a.src, &a.dst).cmp(&(b.kind, &b.src, &b.dst)));
        out
    }

    /// Whether an entity is currently online (`false` when unknown).
    pub fn is_online(&self, t: EntityType, id: &str) -> bool {
        self.table(t).live.get(id).is_some_and(|n| *n > 0)
    }

    fn table(&self, t: EntityType) -> &EntityTable {
        &self.entities[t as usize]
    }

    fn table_mut(&mut self, t: EntityType) -> &mut EntityTable {
        &mut self.entities[t as usize]
    }

    fn see_ends(&mut self, key: &ConnKey) {
        let (src_t, dst_t) = key.kind.ends();
        self.table_mut(src_t).see(&key.src);
        self.table_mut(dst_t).see(&key.dst);
    }

    /// Moves the live counts of the entities this connection keeps online.
    fn count_live(&mut self, key: &ConnKey, up: bool) {
        match key.kind {
            ConnKind::RouterToCtrl => {
                self.table_mut(EntityType::Router).adjust(&key.src, up);
                self.table_mut(EntityType::Controller).adjust(&key.dst, up);
            }
            ConnKind::CtrlToCtrl => {
                self.table_mut(EntityType::Controller).adjust(&key.src, up);
                self.table_mut(EntityType::Controller).adjust(&key.dst, up);
            }
            // REST calls never announce their end: they mark the identity
            // as seen, never as online, and do not keep a controller online.
            ConnKind::EdgeToCtrl => {}
            ConnKind::EdgeToRouter => self.table_mut(EntityType::Identity).adjust(&key.src, up),
        }
    }
}

#[cfg(test)]
mod tests;
