//! The controller's inventory in the model: every router and identity has
//! an opaque id in the controller's shape, and a name people gave it that
//! events never carry. Names travel as the controller sends them: an
//! `entityChange` staged inside its transaction, then its `committed`
//! event, both from the leader. The network announces every router and
//! identity that way before anything names it by id; on a steady day an
//! identity is now and then renamed, or deleted and created again later (a
//! new id, the same name, as re-enrolling one does), and a router is now and
//! then renamed. Routers are never deleted: a deleted router takes its
//! links and control channels with it, an outage with no cause to show.
//!
//! Ids, change ids and this churn draw from their own generator, never the
//! model's, so a seed plays the same network story as before names came.

use super::super::{events, names};
use super::{Identity, Network, Router};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, HashSet};
use zitiscope_core::event::{EntityChange, EntityOp};
use zitiscope_core::{EntityType, Event, Timestamp};

/// What the inventory says of one router or identity, beside the model.
#[derive(Clone, Debug)]
pub struct Listing {
    /// The name it was created with: renames number from it.
    pub base: String,
    /// Its name now.
    pub name: String,
    pub attributes: Vec<String>,
    /// Renames so far.
    pub renames: u32,
    /// Deleted (identities only), until it is created again.
    pub deleted: bool,
    pub created: Timestamp,
    pub updated: Timestamp,
}

impl Listing {
    pub fn new(name: String, attributes: Vec<String>) -> Self {
        Listing {
            base: name.clone(),
            name,
            attributes,
            renames: 0,
            deleted: false,
            created: Timestamp(0),
            updated: Timestamp(0),
        }
    }
}

/// The inventory's books: its generator, the ids handed out, the lists in
/// id order (the management API pages through them) and the identities
/// waiting to be created again.
pub struct Books {
    rng: SmallRng,
    /// Every id handed out: the controller never hands one out twice.
    used: HashSet<String>,
    /// Routers by id.
    pub routers: BTreeMap<String, usize>,
    /// Identities that exist now, by id.
    pub identities: BTreeMap<String, usize>,
    /// Deleted identities and the simulated second each comes back.
    recreate: Vec<(f64, usize)>,
    /// Average simulated seconds between inventory changes (0: none).
    every: f64,
}

/// An identity deleted on a steady day comes back this many seconds later.
const GONE_FOR: std::ops::Range<f64> = 20.0..120.0;

impl Books {
    /// Books for a seed; a change every `every` seconds on a steady day.
    pub fn new(seed: u64, every: f64) -> Self {
        Books {
            rng: SmallRng::seed_from_u64(seed ^ 0x0001_d50f_7a11),
            used: HashSet::new(),
            routers: BTreeMap::new(),
            identities: BTreeMap::new(),
            recreate: Vec::new(),
            every: every.max(0.0),
        }
    }

    /// An id no entity has had.
    pub fn fresh_id(&mut self) -> String {
        loop {
            let id = names::opaque_id(&mut self.rng);
            if self.used.insert(id.clone()) {
                return id;
            }
        }
    }

    /// Indexes the cast by id.
    pub fn index(&mut self, routers: &[Router], identities: &[Identity]) {
        self.routers = routers.iter().enumerate().map(|(r, x)| (x.id.clone(), r)).collect();
        self.identities = identities.iter().enumerate().map(|(i, x)| (x.id.clone(), i)).collect();
    }
}

impl Network {
    /// Every router and identity, created: what a controller's inventory
    /// says before anything connects.
    pub(super) fn announce_all(&mut self, now: Timestamp, out: &mut Vec<Event>) {
        for r in 0..self.routers.len() {
            self.entity_change(now, EntityType::Router, r, EntityOp::Created, out);
        }
        for i in 0..self.identities.len() {
            self.entity_change(now, EntityType::Identity, i, EntityOp::Created, out);
        }
    }

    /// On a steady day, now and then one inventory change; and deleted
    /// identities whose time has come are created again.
    pub(super) fn inventory_churn(&mut self, now: Timestamp, dt: f64, steady: bool, out: &mut Vec<Event>) {
        let clock = self.clock;
        let (due, waiting): (Vec<_>, Vec<_>) = self.books.recreate.drain(..).partition(|(t, _)| *t <= clock);
        self.books.recreate = waiting;
        for (_, i) in due {
            self.recreate_identity(now, i, out);
        }
        let every = self.books.every;
        if !steady || every <= 0.0 || !self.books.rng.random_bool((dt / every).min(1.0)) {
            return;
        }
        let roll: f64 = self.books.rng.random();
        if roll < 0.1 && !self.routers.is_empty() {
            let r = self.books.rng.random_range(0..self.routers.len());
            self.rename_router(now, r, out);
            return;
        }
        // An identity that exists, and that no story owns.
        let n = self.identities.len();
        let Some(i) = (0..8)
            .map(|_| self.books.rng.random_range(0..n.max(1)))
            .find(|&i| i < n && !self.identities[i].listing.deleted && Some(i) != self.flapper)
        else {
            return;
        };
        if roll < 0.7 {
            self.rename_identity(now, i, out);
        } else {
            self.delete_identity(now, i, out);
            let back = self.clock + self.books.rng.random_range(GONE_FOR);
            self.books.recreate.push((back, i));
        }
    }

    /// Router `r` gets its next name.
    pub(super) fn rename_router(&mut self, now: Timestamp, r: usize, out: &mut Vec<Event>) {
        let l = &mut self.routers[r].listing;
        l.renames += 1;
        l.name = names::renamed(&l.base, l.renames);
        self.entity_change(now, EntityType::Router, r, EntityOp::Updated, out);
    }

    /// Identity `i` gets its next name (nothing, if it is deleted).
    pub(super) fn rename_identity(&mut self, now: Timestamp, i: usize, out: &mut Vec<Event>) {
        let l = &mut self.identities[i].listing;
        if l.deleted {
            return;
        }
        l.renames += 1;
        l.name = names::renamed(&l.base, l.renames);
        self.entity_change(now, EntityType::Identity, i, EntityOp::Updated, out);
    }

    /// Identity `i` is deleted: the controller closes its connection first.
    pub(super) fn delete_identity(&mut self, now: Timestamp, i: usize, out: &mut Vec<Event>) {
        if self.identities[i].listing.deleted {
            return;
        }
        if self.identities[i].at.is_some() {
            out.push(self.detach(now, i));
        }
        self.entity_change(now, EntityType::Identity, i, EntityOp::Deleted, out);
        self.identities[i].listing.deleted = true;
        let id = self.identities[i].id.clone();
        self.books.identities.remove(&id);
    }

    /// Identity `i` is created again, under a new id and its old name, and
    /// connects (nothing, if it exists).
    pub(super) fn recreate_identity(&mut self, now: Timestamp, i: usize, out: &mut Vec<Event>) {
        if !self.identities[i].listing.deleted {
            return;
        }
        let id = self.books.fresh_id();
        self.books.identities.insert(id.clone(), i);
        self.identities[i].id = id;
        self.identities[i].listing.deleted = false;
        self.entity_change(now, EntityType::Identity, i, EntityOp::Created, out);
        if let Some(r) = self.target_router(i) {
            out.push(self.attach(now, i, r));
            self.calm(i);
        }
    }

    /// The staged change and its commit for router or identity `k` as it
    /// is now, from the leader (only the leader propagates them).
    fn entity_change(&mut self, now: Timestamp, t: EntityType, k: usize, op: EntityOp, out: &mut Vec<Event>) {
        let (id, listing) = match t {
            EntityType::Router => (&self.routers[k].id, &self.routers[k].listing),
            _ => (&self.identities[k].id, &self.identities[k].listing),
        };
        let change = EntityChange {
            change: names::change_id(&mut self.books.rng),
            entity: t,
            op,
            id: id.clone(),
            name: Some(listing.name.clone()),
            attributes: Some(listing.attributes.clone()),
            identity_type: (t == EntityType::Identity).then(|| "Default".to_owned()),
        };
        let via = self.ctrls[self.leader].clone();
        let staged = self.stamp(now, events::staged(change.clone()), via.clone());
        let at = staged.at;
        out.push(staged);
        out.push(self.stamp(now, events::committed(&change.change), via));
        let listing = match t {
            EntityType::Router => &mut self.routers[k].listing,
            _ => &mut self.identities[k].listing,
        };
        if op == EntityOp::Created {
            listing.created = at;
        }
        listing.updated = at;
    }
}
