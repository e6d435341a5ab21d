//! `Store::apply`: each event kind, and the fusion rules between them.

use super::entities::Key;
use super::{Change, Connection, Link, Observe, Store};
use crate::event::{Body, ConnChange, LatencyOf, LatencySample, SdkStatus};
use crate::{ConnKind, EntityType, Event, Timestamp};

impl Store {
    /// Applies one event and returns the real changes it made: none for a
    /// duplicate, for activity on a connection that is already up, or for
    /// an event older than what it would overwrite.
    pub fn apply(&mut self, ev: &Event) -> Vec<Change> {
        let mut out = Vec::new();
        // Every reporter is a controller we know of, even when its copy of
        // the event is a duplicate of another controller's.
        if let Some(via) = &ev.via {
            self.ents.see(EntityType::Controller, via);
        }
        if !self.dedupe.first_sight(ev) {
            self.stats.duplicates += 1;
            return out;
        }
        self.stats.applied += 1;
        match &ev.body {
            Body::Conn(c) => self.conn_event(ev.at, c, &mut out),
            Body::Sdk(s) => self.sdk_event(ev.at, &s.identity, s.status, &mut out),
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
                        self.conn_event(ev.at, &change, &mut out);
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
        }
        out
    }

    pub(super) fn conn_event(&mut self, at: Timestamp, c: &ConnChange, out: &mut Vec<Change>) {
        let key = self.ents.key(c.kind, &c.src, &c.dst);
        self.conn_key_event(at, key, c.up, c.addr.as_ref(), out);
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
        const NONE: u32 = super::names::NONE;
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
                    r.ctrl_conns += 1;
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
            rec.routers.clone()
        } else {
            Vec::new()
        };
        let now_online = rec.online();
        self.ents.flip(EntityType::Identity, was_online, now_online);
        for router in routers {
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
