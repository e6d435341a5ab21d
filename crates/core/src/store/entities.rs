//! Entity roll-up: which controllers, routers and identities are known,
//! the live-connection counts that make them online, and the interned keys
//! that connections are stored under.

use super::names::{Names, NONE};
use super::{ConnKey, IdentityRec};
use crate::{ConnKind, EntityType};

/// A connection's key inside the store: its kind and the indices of its
/// ends in their entity tables. 12 bytes, hashed and compared as integers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct Key {
    pub kind: ConnKind,
    pub src: u32,
    pub dst: u32,
}

/// Per router.
#[derive(Clone, Debug, Default)]
pub(super) struct RouterRec {
    /// Live controller connections.
    pub live: u32,
    /// Controller connections ever observed up or down.
    pub ctrl_conns: u32,
    /// The management API's word on it (`isOnline`), which counts only
    /// until one of its control channels is observed (`health.rs`).
    pub listed: Option<bool>,
    /// Identity connections to it that are up now.
    pub edge_up: u32,
    /// Identity connections to it ever observed up or down.
    pub edge_known: u32,
    /// Identities with a connection to it, by index (derived from the
    /// connections: the drawer's identity list reads it instead of
    /// scanning every connection).
    pub identities: Vec<u32>,
}

impl RouterRec {
    /// Whether it counts as online: a live control channel, or, before any
    /// was observed, the management API listing it online.
    pub fn online(&self) -> bool {
        self.live > 0 || (self.ctrl_conns == 0 && self.listed == Some(true))
    }
}

/// Per controller.
#[derive(Clone, Debug, Default)]
pub(super) struct CtrlRec {
    /// Live router and peer connections.
    pub live: u32,
    /// Router and peer connections ever observed up or down.
    pub conns: u32,
    /// Identities that called its REST API (an identity→ctrl connection),
    /// by index (derived, like [`RouterRec::identities`]).
    pub rest: Vec<u32>,
}

/// Every known entity, by type, and how many are online.
#[derive(Clone, Debug, Default)]
pub(super) struct Entities {
    pub controllers: Names<CtrlRec>,
    pub routers: Names<RouterRec>,
    pub identities: Names<IdentityRec>,
    /// Online entities, by `EntityType as usize`.
    pub online: [usize; 3],
}

impl Entities {
    /// Registers an entity (no-op when known or empty); returns its index.
    pub fn see(&mut self, t: EntityType, id: &str) -> u32 {
        match t {
            EntityType::Controller => self.controllers.intern(id),
            EntityType::Router => self.routers.intern(id),
            EntityType::Identity => self.identities.intern(id),
        }
    }

    pub(super) fn find(&self, t: EntityType, id: &str) -> Option<u32> {
        if id.is_empty() {
            return Some(NONE);
        }
        match t {
            EntityType::Controller => self.controllers.find(id),
            EntityType::Router => self.routers.find(id),
            EntityType::Identity => self.identities.find(id),
        }
    }

    fn name(&self, t: EntityType, i: u32) -> &str {
        match t {
            EntityType::Controller => self.controllers.name(i),
            EntityType::Router => self.routers.name(i),
            EntityType::Identity => self.identities.name(i),
        }
    }

    /// The key of a connection between `src` and `dst`, registering both
    /// ends. ctrl↔ctrl pairs are sorted by id, as [`ConnKey::new`] does.
    pub fn key(&mut self, kind: ConnKind, src: &str, dst: &str) -> Key {
        let (src, dst) = if kind == ConnKind::CtrlToCtrl && dst < src { (dst, src) } else { (src, dst) };
        let (src_t, dst_t) = kind.ends();
        Key { kind, src: self.see(src_t, src), dst: self.see(dst_t, dst) }
    }

    /// The key of a known connection, without registering anything.
    pub fn find_key(&self, k: &ConnKey) -> Option<Key> {
        let (src_t, dst_t) = k.kind.ends();
        Some(Key { kind: k.kind, src: self.find(src_t, &k.src)?, dst: self.find(dst_t, &k.dst)? })
    }

    /// The public (string) form of a key.
    pub fn conn_key(&self, k: Key) -> ConnKey {
        let (src_t, dst_t) = k.kind.ends();
        ConnKey { kind: k.kind, src: self.name(src_t, k.src).to_owned(), dst: self.name(dst_t, k.dst).to_owned() }
    }

    /// The ids at a key's ends.
    pub fn ends(&self, k: Key) -> (&str, &str) {
        let (src_t, dst_t) = k.kind.ends();
        (self.name(src_t, k.src), self.name(dst_t, k.dst))
    }

    /// Moves the live counts of the entities a connection keeps online.
    pub fn count(&mut self, key: Key, was_up: bool, is_up: bool) {
        if was_up == is_up {
            return;
        }
        let delta: i32 = if is_up { 1 } else { -1 };
        match key.kind {
            ConnKind::RouterToCtrl => {
                self.bump(EntityType::Router, key.src, delta);
                self.bump(EntityType::Controller, key.dst, delta);
            }
            ConnKind::CtrlToCtrl => {
                self.bump(EntityType::Controller, key.src, delta);
                self.bump(EntityType::Controller, key.dst, delta);
            }
            // REST calls never announce their end: they mark the identity
            // as seen, never as online, and do not keep a controller online.
            ConnKind::EdgeToCtrl => {}
            ConnKind::EdgeToRouter => {
                self.bump(EntityType::Identity, key.src, delta);
                if let Some(r) = self.routers.rec_mut(key.dst) {
                    r.edge_up = r.edge_up.saturating_add_signed(delta);
                }
            }
        }
    }

    fn bump(&mut self, t: EntityType, i: u32, delta: i32) {
        let step = |n: &mut u32| -> (bool, bool) {
            let was = *n > 0;
            *n = n.saturating_add_signed(delta);
            (was, *n > 0)
        };
        let moved = match t {
            EntityType::Router => self.routers.rec_mut(i).map(|r| {
                let was = r.online();
                r.live = r.live.saturating_add_signed(delta);
                (was, r.online())
            }),
            EntityType::Controller => self.controllers.rec_mut(i).map(|c| step(&mut c.live)),
            EntityType::Identity => self.identities.rec_mut(i).map(|rec| {
                let was = rec.online();
                rec.live = rec.live.saturating_add_signed(delta);
                (was, rec.online())
            }),
        };
        if let Some((was, now)) = moved {
            self.flip(t, was, now);
        }
    }

    /// Counts an entity that went online or offline.
    pub fn flip(&mut self, t: EntityType, was: bool, now: bool) {
        let n = &mut self.online[t as usize];
        match (was, now) {
            (false, true) => *n += 1,
            (true, false) => *n -= 1,
            _ => {}
        }
    }

    /// Takes the management API's word on whether router `i` is online.
    /// Returns whether its online state changed.
    pub fn list_router(&mut self, i: u32, online: bool) -> bool {
        let Some(r) = self.routers.rec_mut(i) else { return false };
        let was = r.online();
        r.listed = Some(online);
        let now = r.online();
        self.flip(EntityType::Router, was, now);
        was != now
    }

    /// Whether an entity is currently online (`false` when unknown).
    pub fn is_online(&self, t: EntityType, id: &str) -> bool {
        match t {
            EntityType::Router => self.routers.get(id).is_some_and(RouterRec::online),
            EntityType::Controller => self.controllers.get(id).is_some_and(|c| c.live > 0),
            EntityType::Identity => self.identities.get(id).is_some_and(IdentityRec::online),
        }
    }
}
