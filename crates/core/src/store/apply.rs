//! `Store::apply`: each event kind, and the fusion rules between them.

use super::entities::Key;
use super::names::NONE;
use super::{Change, Connection, Info, Link, Listing, Observe, Store};
use crate::event::{Body, ConnChange, EntityChange, EntityEvent, EntityOp, LatencyOf, LatencySample, SdkStatus};
use crate::{ConnKind, EntityType, Event, Timestamp};

impl Store {
    /// Applies one event and returns the real changes it made: none for a
    /// duplicate, for activity on a connection that is already up, or for
    /// an event older than what it would overwrite.
    pub fn apply(&mut self, ev: &Event) -> Vec<Change> {
        let mut out = Vec::new();
        self.apply_into(ev, &mut out);
        out
    }

    /// Remembers `ev` as seen without applying it: a store rebuilt from a
    /// checkpoint (which keeps no dedupe window) learns the events just
    /// before it, so that a copy of one arriving again (a redelivery) is
    /// known as a duplicate, as it would have been by the store that saw it.
    pub fn remember(&mut self, ev: &Event) {
        self.dedupe.first_sight(ev);
    }

    /// [`Self::apply`], adding the changes to `out` (a batch's changes
    /// gathered in one vector, for one dispatch).
    pub fn apply_into(&mut self, ev: &Event, out: &mut Vec<Change>) {
        // Every reporter is a controller we know of, even when its copy of
        // the event is a duplicate of another controller's.
        if let Some(via) = &ev.via {
            self.ents.see(EntityType::Controller, via);
        }
        if !self.dedupe.first_sight(ev) {
            self.stats.duplicates += 1;
            return;
        }
        self.stats.applied += 1;
        match &ev.body {
            Body::Conn(c) => self.conn_event(ev.at, c, out),
            Body::Sdk(s) => self.sdk_event(ev.at, &s.identity, s.status, out),
            Body::Cluster(c) => {
                if let (Some(via), Some(peer)) = (&ev.via, c.peers.first()) {
                    use crate::event::ClusterEventType as T;
                    if matches!(c.event, T::PeerConnected | T::PeerDisconnected) {
                        let up = c.event == T::PeerConnected;
                        let change = ConnChange {
                            kind: ConnKind::CtrlToCtrl,
                            src: peer.id.clone(),
                            dst: via.clone(),
                            up,
                            addr: None,
                        };
                        self.conn_event(ev.at, &change, out);
                    }
                }
                let delta = self.cluster.apply(ev.at, ev.via.as_deref(), c);
                if let Some(to) = delta.leader {
                    out.push(Change::Leader { from: None, to, at: ev.at });
                }
                if let Some(count) = delta.members {
                    out.push(Change::Members { count, at: ev.at });
                }
                if let Some(read_only) = delta.read_only {
                    out.push(Change::ReadOnly { read_only, at: ev.at });
                }
            }
            Body::Link(l) => {
                let cap = self.cfg.history_cap;
                if !self.links.contains_key(&l.link) {
                    self.links.insert(l.link.clone(), Link::default());
                }
                let link = self.links.get_mut(&l.link).expect("inserted above");
                let before = link.life.up();
                match link.apply(ev.at, l, cap) {
                    Some(Observe::TooOld) => self.stats.too_old += 1,
                    Some(_) if link.life.up() != before => {
                        out.push(Change::Link { link: l.link.clone(), from: before, to: link.reported_up(), at: ev.at })
                    }
                    _ => {}
                }
                for r in [&l.src, &l.dst].into_iter().flatten() {
                    self.ents.see(EntityType::Router, r);
                }
            }
            Body::Latency(s) => self.latency_event(ev.at, s),
            // Only a committed change counts: `Commits` pairs a staged
            // change with its commit, in either order (a rollback emits no
            // commit, so its change never comes out).
            Body::Entity(EntityEvent::Listed(l)) => out.extend(self.listed(ev.at, l)),
            Body::Entity(_) => {
                if let Some(done) = self.commits.offer(ev) {
                    out.extend(self.learn(done.at, done.change.entity, &done.change.id, listing(&done.change)));
                }
            }
        }
    }

    pub(super) fn conn_event(&mut self, at: Timestamp, c: &ConnChange, out: &mut Vec<Change>) {
        let key = self.ents.key(c.kind, &c.src, &c.dst);
        self.conn_key_event(at, key, c.up, c.addr.as_ref(), out);
        if key.kind == ConnKind::RouterToCtrl && key.dst == NONE && !c.up {
            self.router_lost_every_controller(at, key.src, out);
        }
    }

    /// A router→ctrl "down" that names no controller: a `router-offline`
    /// from a controller before v1.3 (no `event_src_id`), or the design
    /// note's shape. The router is offline as far as anyone can tell, so
    /// every control connection it has goes down; one reported later
    /// with an older time gets it too ([`Self::create`]). Taking down only
    /// the unnamed connection would leave a v1.2 `connect` (which does name
    /// its controller) up for ever.
    fn router_lost_every_controller(&mut self, at: Timestamp, router: u32, out: &mut Vec<Change>) {
        let kind = ConnKind::RouterToCtrl;
        let named: Vec<Key> = self
            .control
            .range(Key { kind, src: router, dst: 0 }..Key { kind, src: router, dst: NONE })
            .copied()
            .collect();
        for key in named {
            self.conn_key_event(at, key, false, None, out);
        }
    }

    /// [`Self::conn_event`] for an interned key.
    fn conn_key_event(&mut self, at: Timestamp, key: Key, up: bool, addr: Option<&String>, out: &mut Vec<Change>) {
        if !self.conns.contains_key(&key) {
            self.create(key);
        }
        let cap = self.cfg.history_cap;
        let conn = self.conns.get_mut(&key).expect("created above");
        let before = conn.life.up();
        if conn.life.observe(at, up, cap) == Observe::TooOld {
            self.stats.too_old += 1;
        }
        if up {
            // REST calls are edge→ctrl's heartbeat; other kinds beat
            // through latency samples.
            if key.kind == ConnKind::EdgeToCtrl {
                conn.last_heartbeat = conn.last_heartbeat.max(Some(at));
            }
            if let Some(addr) = addr {
                conn.addr.offer(at, addr);
            }
        }
        let after = conn.life.up();
        if before.is_none() && after.is_some() {
            self.first_observed(key);
        }
        if before != after {
            self.ents.count(key, before == Some(true), after == Some(true));
            out.push(Change::Conn { key: self.ents.conn_key(key), from: before, to: after == Some(true), at });
        }
    }

    /// Records a new connection, and applies any `sdk-offline` of its
    /// identity that came first, so arrival order does not matter.
    pub(super) fn create(&mut self, key: Key) {
        self.register(key);
        let mut conn = Connection::default();
        if key.kind == ConnKind::EdgeToRouter {
            if let Some(rec) = self.ents.identities.rec(key.src) {
                for &t in &rec.offline_at {
                    conn.life.observe(t, false, self.cfg.history_cap);
                }
            }
        }
        // The router's unattributed downs are the down observations of
        // its connection to no named controller.
        if key.kind == ConnKind::RouterToCtrl && key.dst != NONE {
            let unnamed = Key { dst: NONE, ..key };
            if let Some(u) = self.conns.get(&unnamed) {
                for &(t, up) in u.life.observations() {
                    if !up {
                        conn.life.observe(t, false, self.cfg.history_cap);
                    }
                }
            }
        }
        // Observed already (an earlier `sdk-offline`): counted as known
        // here, since the caller will not see it go from nothing to down.
        if conn.life.up().is_some() {
            self.first_observed(key);
        }
        self.insert(key, conn);
    }

    /// Adds a connection to the table, and to the control index when it
    /// is a router's or a controller's.
    pub(super) fn insert(&mut self, key: Key, conn: Connection) {
        if matches!(key.kind, ConnKind::RouterToCtrl | ConnKind::CtrlToCtrl) {
            self.control.insert(key);
        }
        self.conns.insert(key, conn);
    }

    /// Indexes an identity's connections: its routers under the identity
    /// (for `sdk-offline`), and the identity under its router or
    /// controller (for the map's identity lists). Its ends are registered
    /// by interning the key.
    pub(super) fn register(&mut self, key: Key) {
        if key.src == NONE || key.dst == NONE {
            return;
        }
        match key.kind {
            ConnKind::EdgeToRouter => {
                if let Some(rec) = self.ents.identities.rec_mut(key.src) {
                    rec.routers.push(key.dst);
                }
                if let Some(r) = self.ents.routers.rec_mut(key.dst) {
                    r.identities.push(key.src);
                }
            }
            ConnKind::EdgeToCtrl => {
                if let Some(c) = self.ents.controllers.rec_mut(key.dst) {
                    c.rest.push(key.src);
                }
            }
            _ => {}
        }
    }

    /// A connection's first up/down observation. A router or controller
    /// that has had a connection reported can be known to be down (see
    /// `health.rs`); a latency sample alone (a record with no observation)
    /// says nothing.
    pub(super) fn first_observed(&mut self, key: Key) {
        match key.kind {
            ConnKind::RouterToCtrl => {
                if let Some(r) = self.ents.routers.rec_mut(key.src) {
                    // The first observed channel ends the API listing's
                    // say (`health.rs`), so its online count may move.
                    let was = r.online();
                    r.ctrl_conns += 1;
                    let now = r.online();
                    self.ents.flip(EntityType::Router, was, now);
                }
                if let Some(c) = self.ents.controllers.rec_mut(key.dst) {
                    c.conns += 1;
                }
            }
            ConnKind::CtrlToCtrl => {
                for i in [key.src, key.dst] {
                    if let Some(c) = self.ents.controllers.rec_mut(i) {
                        c.conns += 1;
                    }
                }
            }
            ConnKind::EdgeToRouter => {
                if let Some(r) = self.ents.routers.rec_mut(key.dst) {
                    r.edge_known += 1;
                }
            }
            _ => {}
        }
    }

    pub(super) fn sdk_event(&mut self, at: Timestamp, identity: &str, status: SdkStatus, out: &mut Vec<Change>) {
        let ident = self.ents.see(EntityType::Identity, identity);
        let cap = self.cfg.offline_memory;
        let Some(rec) = self.ents.identities.rec_mut(ident) else { return };
        let was_online = rec.online();
        // Newest wins; at a tie the worse status wins (offline > unknown > online).
        let rank = |s: SdkStatus| match s {
            SdkStatus::Online => 0,
            SdkStatus::Unknown => 1,
            SdkStatus::Offline => 2,
        };
        let newer = rec.sdk.is_none_or(|(t, s)| (at, rank(status)) > (t, rank(s)));
        if newer {
            let from = rec.sdk.map(|(_, s)| s);
            rec.sdk = Some((at, status));
            if from != Some(status) {
                out.push(Change::Sdk { identity: identity.to_owned(), from, to: status, at });
            }
        }
        let routers = if status == SdkStatus::Offline && !rec.offline_at.contains(&at) {
            let pos = rec.offline_at.partition_point(|t| *t < at);
            rec.offline_at.insert(pos, at);
            if rec.offline_at.len() > cap {
                rec.offline_at.remove(0);
            }
            rec.routers.len()
        } else {
            0
        };
        let now_online = rec.online();
        self.ents.flip(EntityType::Identity, was_online, now_online);
        // By index, not a copy of the list: taking a connection down never
        // changes which routers an identity has.
        for j in 0..routers {
            let Some(&router) = self.ents.identities.rec(ident).and_then(|r| r.routers.get(j)) else { break };
            let key = Key { kind: ConnKind::EdgeToRouter, src: ident, dst: router };
            self.conn_key_event(at, key, false, None, out);
        }
    }

    pub(super) fn latency_event(&mut self, at: Timestamp, s: &LatencySample) {
        let key = match s.of {
            LatencyOf::Link => {
                if !self.links.contains_key(&s.target) {
                    self.links.insert(s.target.clone(), Link::default());
                }
                self.links.get_mut(&s.target).expect("inserted above").sample(at, s);
                return;
            }
            LatencyOf::Ctrl => self.ents.key(ConnKind::RouterToCtrl, &s.target, &s.source),
            LatencyOf::Peer => self.ents.key(ConnKind::CtrlToCtrl, &s.source, &s.target),
        };
        // A sample is a heartbeat. It records the connection if it is new
        // (with no up/down observation: the sample says nothing about
        // state), so the outcome is the same whichever arrives first.
        if !self.conns.contains_key(&key) {
            self.create(key);
        }
        let conn = self.conns.get_mut(&key).expect("created above");
        conn.last_heartbeat = conn.last_heartbeat.max(Some(at));
        conn.latency.offer(at, &Box::new(s.clone()));
    }
}

/// What a committed change says of its entity: deleted, or present with
/// the state the controller stored (a missing name stands as the id).
fn listing(c: &EntityChange) -> Listing {
    match c.op {
        EntityOp::Deleted => Listing::Deleted,
        EntityOp::Created | EntityOp::Updated => Listing::Present(Info {
            name: c.name.clone().unwrap_or_else(|| c.id.clone()),
            attributes: c.attributes.clone().unwrap_or_default(),
            kind: c.identity_type.clone(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{Change, ConnKey, Store, StoreConfig};
    use crate::{ConnKind, EntityType, Event, Timestamp};

    /// A router→ctrl event; `ctrl` empty for one that names no controller
    /// (a pre-1.3 `router` event).
    fn rc(at: i64, router: &str, ctrl: &str, up: bool) -> Event {
        Event::conn(Timestamp(at), ConnKind::RouterToCtrl, router, ctrl, up)
    }

    fn up(s: &Store, router: &str, ctrl: &str) -> Option<bool> {
        s.get(&ConnKey::new(ConnKind::RouterToCtrl, router, ctrl)).and_then(|c| c.life.up())
    }

    #[test]
    fn an_unattributed_router_offline_takes_down_every_control_channel() {
        let mut s = Store::new();
        s.apply(&rc(10, "r1", "c1", true)); // a v1.2 `connect`: names its controller
        s.apply(&rc(10, "r1", "", true)); // a v1.2 `router-online`: does not
        s.apply(&rc(10, "r2", "c1", true));
        assert!(s.is_online(EntityType::Router, "r1"));
        let changes = s.apply(&rc(20, "r1", "", false));
        let downs: Vec<&str> = changes
            .iter()
            .filter_map(|c| match c {
                Change::Conn { key, to: false, .. } => Some(key.dst.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(downs, ["", "c1"], "the unnamed channel and the named one");
        assert!(!s.is_online(EntityType::Router, "r1"));
        assert_eq!(up(&s, "r2", "c1"), Some(true), "another router's channel is untouched");
        s.apply(&rc(30, "r1", "c1", true));
        assert!(s.is_online(EntityType::Router, "r1"), "a newer connect brings it back");
    }

    #[test]
    fn a_channel_reported_after_the_offline_with_an_older_time_goes_down_too() {
        let events = [rc(10, "r1", "c1", true), rc(10, "r1", "c2", true), rc(20, "r1", "", false)];
        for order in [[0, 1, 2], [2, 0, 1], [1, 2, 0], [2, 1, 0]] {
            let mut s = Store::new();
            for i in order {
                s.apply(&events[i]);
            }
            assert_eq!((up(&s, "r1", "c1"), up(&s, "r1", "c2")), (Some(false), Some(false)), "order {order:?}");
            assert!(!s.is_online(EntityType::Router, "r1"), "order {order:?}");
        }
        // A channel newer than the offline stays up, and so does the router.
        let mut s = Store::new();
        s.apply(&rc(20, "r1", "", false));
        s.apply(&rc(25, "r1", "c1", true));
        assert!(s.is_online(EntityType::Router, "r1"));
    }

    #[test]
    fn the_unattributed_offline_survives_a_snapshot() {
        let mut s = Store::new();
        s.apply(&rc(20, "r1", "", false));
        let mut restored = Store::from_state(s.state(), StoreConfig::default());
        restored.apply(&rc(10, "r1", "c1", true));
        assert_eq!(up(&restored, "r1", "c1"), Some(false), "the late, older connect lands before the offline");
    }

    #[test]
    fn a_named_offline_takes_down_only_its_own_controller() {
        let mut s = Store::new();
        s.apply(&rc(10, "r1", "c1", true));
        s.apply(&rc(10, "r1", "c2", true));
        s.apply(&rc(20, "r1", "c1", false));
        assert_eq!((up(&s, "r1", "c1"), up(&s, "r1", "c2")), (Some(false), Some(true)));
        assert!(s.is_online(EntityType::Router, "r1"));
    }
}
