//! Entity roll-up: which controllers, routers and identities are known,
//! and the live-connection counts that make them online.

use super::{ConnKey, IdentityRec, Store};
use crate::{ConnKind, EntityType};

impl Store {
    /// Registers an entity. Looks up before inserting: `entry` would
    /// allocate an owned key for every event on this hot path.
    pub(super) fn see(&mut self, t: EntityType, id: &str) {
        if id.is_empty() {
            return;
        }
        match t {
            EntityType::Controller if !self.controllers.contains_key(id) => {
                self.controllers.insert(id.to_owned(), 0);
            }
            EntityType::Router if !self.routers.contains_key(id) => {
                self.routers.insert(id.to_owned(), 0);
            }
            EntityType::Identity if !self.identities.contains_key(id) => {
                self.identities.insert(id.to_owned(), IdentityRec::default());
            }
            _ => {}
        }
    }

    /// Moves the live counts of the entities a connection keeps online.
    pub(super) fn count(&mut self, key: &ConnKey, was_up: bool, is_up: bool) {
        if was_up == is_up {
            return;
        }
        let delta: i32 = if is_up { 1 } else { -1 };
        match key.kind {
            ConnKind::RouterToCtrl => {
                self.bump(EntityType::Router, &key.src, delta);
                self.bump(EntityType::Controller, &key.dst, delta);
            }
            ConnKind::CtrlToCtrl => {
                self.bump(EntityType::Controller, &key.src, delta);
                self.bump(EntityType::Controller, &key.dst, delta);
            }
            // REST calls never announce their end: they mark the identity
            // as seen, never as online, and do not keep a controller online.
            ConnKind::EdgeToCtrl => {}
            ConnKind::EdgeToRouter => self.bump(EntityType::Identity, &key.src, delta),
        }
    }

    pub(super) fn bump(&mut self, t: EntityType, id: &str, delta: i32) {
        let step = |n: &mut u32| -> (bool, bool) {
            let was = *n > 0;
            *n = n.saturating_add_signed(delta);
            (was, *n > 0)
        };
        let (was, now) = match t {
            EntityType::Router => step(self.routers.entry(id.to_owned()).or_default()),
            EntityType::Controller => step(self.controllers.entry(id.to_owned()).or_default()),
            EntityType::Identity => {
                let rec = self.identities.entry(id.to_owned()).or_default();
                let was = rec.online();
                rec.live = rec.live.saturating_add_signed(delta);
                (was, rec.online())
            }
        };
        self.flip(t, was, now);
    }

    pub(super) fn flip(&mut self, t: EntityType, was: bool, now: bool) {
        let n = &mut self.online[t as usize];
        match (was, now) {
            (false, true) => *n += 1,
            (true, false) => *n -= 1,
            _ => {}
        }
    }

    /// Whether an entity is currently online (`false` when unknown).
    pub fn is_online(&self, t: EntityType, id: &str) -> bool {
        match t {
            EntityType::Router => self.routers.get(id).is_some_and(|n| *n > 0),
            EntityType::Controller => self.controllers.get(id).is_some_and(|n| *n > 0),
            EntityType::Identity => self.identities.get(id).is_some_and(IdentityRec::online),
        }
    }

    /// Whether a link is effectively up: its own events say up, and its
    /// source router is not known to be offline (a controller drops an
    /// offline router's links without an event). A router whose control
    /// connections were never reported is not known to be offline.
    pub fn link_up(&self, link: &str) -> bool {
        self.links
            .get(link)
            .is_some_and(|l| l.reported_up() && !l.src.get().is_some_and(|r| self.router_known_offline(r)))
    }

    /// Whether a router has had controller connections and holds none now.
    pub fn router_known_offline(&self, router: &str) -> bool {
        self.router_ctrl_conns.get(router).is_some_and(|n| *n > 0) && !self.is_online(EntityType::Router, router)
    }
}
