//! What the controller's inventory says about routers and identities: the
//! names people gave them, their role attributes and (identities) their
//! type, and which were deleted. Real events name an entity by an opaque id
//! (`Kx7pWq2mRa`); everything a person reads shows the name instead.
//!
//! The invariant: an entity's listing is a [`Latest`] over the reports about
//! it, so the outcome never depends on arrival order, and a listing is
//! kept apart from the entity's connections, so learning a name never
//! touches the hot path.
//!
//! The rules:
//! - a report is `created`/`updated` (a [`Listing::Present`] with the whole
//!   entity, as the controller's `entityChange` carries it) or `deleted`;
//!   the newest wins, and at an equal time a delete wins (it sorts last);
//! - a deleted entity is gone from every view (the map, the list, the
//!   counters); its connections' history stays in the store, so a late
//!   event cannot bring back a wrong state, and a later `created` brings it
//!   back;
//! - a name is shown in place of the id; the id stays the key (URLs, alert
//!   keys, the store), so links survive a rename;
//! - a report that changes what a person reads is a [`Change::Entity`],
//!   which makes every view redraw: a rename shows everywhere at once;
//! - a listing of the management API ([`EntityListed`]) is a report like
//!   an `entityChange`, at the time the feed listed it; a router's
//!   `isOnline` in it is kept apart ([`Inventory::online`], also a
//!   [`Latest`]) and counts for its health until a control channel of it
//!   is observed (`health.rs`).

use super::latest::Latest;
use super::{Change, Store};
use crate::event::EntityListed;
use crate::{EntityType, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the inventory says about one entity.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Info {
    /// The name people gave it.
    pub name: String,
    /// Its role attributes (`eu`, `edge`, …), in the controller's order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<String>,
    /// Identities: their type (`Device`, `User`, `Router`, `Service`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// One entity's listing. A delete sorts after any presence, so at an
/// equal time it wins ([`Latest`] settles ties by the greater value).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Listing {
    Present(Info),
    Deleted,
}

/// Every listing, by entity type and id. Controllers are not listed: the
/// controller's inventory names routers and identities.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub routers: BTreeMap<String, Latest<Listing>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub identities: BTreeMap<String, Latest<Listing>>,
    /// Routers' `isOnline`, as the management API last listed it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub online: BTreeMap<String, Latest<bool>>,
}

impl Inventory {
    fn table(&self, t: EntityType) -> Option<&BTreeMap<String, Latest<Listing>>> {
        match t {
            EntityType::Router => Some(&self.routers),
            EntityType::Identity => Some(&self.identities),
            EntityType::Controller => None,
        }
    }

    fn listing(&self, t: EntityType, id: &str) -> Option<&Listing> {
        self.table(t)?.get(id)?.get()
    }

    /// Whether nothing is listed.
    pub fn is_empty(&self) -> bool {
        self.routers.is_empty() && self.identities.is_empty() && self.online.is_empty()
    }
}

impl Store {
    /// Takes one report about an entity at `at` (see the module docs).
    /// Returns the change a person would see, if any: a new name, new
    /// attributes, a deletion or a return. Controllers are not listed.
    pub fn learn(&mut self, at: Timestamp, t: EntityType, id: &str, listing: Listing) -> Option<Change> {
        let table = match t {
            EntityType::Router => &mut self.inventory.routers,
            EntityType::Identity => &mut self.inventory.identities,
            EntityType::Controller => return None,
        };
        if id.is_empty() {
            return None;
        }
        let slot = table.entry(id.to_owned()).or_default();
        let before = slot.get().cloned();
        let kept = slot.offer(at, &listing) && before.as_ref() != slot.get();
        // Known from now on, even if no connection ever names it (an
        // identity that never connected is still part of the network), and
        // whatever the report says or whether it is news, so the entities
        // known never depend on arrival order; a deleted one is hidden from
        // every view instead.
        self.ents.see(t, id);
        if !kept {
            return None;
        }
        let slot = self.inventory.routers.get(id).filter(|_| t == EntityType::Router);
        let slot = slot.or_else(|| self.inventory.identities.get(id).filter(|_| t == EntityType::Identity));
        let name = match slot.and_then(|s| s.get()) {
            Some(Listing::Present(info)) => Some(info.name.clone()),
            _ => None,
        };
        Some(Change::Entity { of: t, id: id.to_owned(), name, at })
    }

    /// Takes one entity of a management-API listing at `at` (see the
    /// module docs). Returns the change a person would see, if any.
    pub fn listed(&mut self, at: Timestamp, l: &EntityListed) -> Option<Change> {
        let listing = if l.deleted {
            Listing::Deleted
        } else {
            Listing::Present(Info {
                name: l.name.clone(),
                attributes: l.attributes.clone(),
                kind: l.identity_type.clone(),
            })
        };
        let renamed = self.learn(at, l.entity, &l.id, listing);
        let moved = match (l.entity, l.online) {
            (EntityType::Router, Some(online)) if !l.id.is_empty() => self.list_online(at, &l.id, online),
            _ => false,
        };
        renamed.or_else(|| {
            moved.then(|| Change::Entity {
                of: l.entity,
                id: l.id.clone(),
                name: self.info(l.entity, &l.id).map(|i| i.name.clone()),
                at,
            })
        })
    }

    /// Keeps a router's listed `isOnline` if it is the newest word; returns
    /// whether its online state moved.
    fn list_online(&mut self, at: Timestamp, id: &str, online: bool) -> bool {
        let slot = self.inventory.online.entry(id.to_owned()).or_default();
        if !slot.offer(at, &online) {
            return false;
        }
        let newest = slot.get().copied().unwrap_or(online);
        let i = self.ents.see(EntityType::Router, id);
        self.ents.list_router(i, newest)
    }

    /// After a restore: the listed `isOnline` flags back on their routers.
    pub(super) fn relist_online(&mut self) {
        let flags: Vec<(String, bool)> =
            self.inventory.online.iter().filter_map(|(id, l)| Some((id.clone(), *l.get()?))).collect();
        for (id, online) in flags {
            let i = self.ents.see(EntityType::Router, &id);
            self.ents.list_router(i, online);
        }
    }

    /// What the inventory says about an entity (`None`: never listed, or
    /// deleted).
    pub fn info(&self, t: EntityType, id: &str) -> Option<&Info> {
        match self.inventory.listing(t, id)? {
            Listing::Present(info) => Some(info),
            Listing::Deleted => None,
        }
    }

    /// Whether the inventory's newest word on an entity is that it was
    /// deleted.
    pub fn deleted(&self, t: EntityType, id: &str) -> bool {
        matches!(self.inventory.listing(t, id), Some(Listing::Deleted))
    }

    /// The name a person reads for an entity: its name, else its id.
    pub fn display_name<'a>(&'a self, t: EntityType, id: &'a str) -> &'a str {
        self.info(t, id).map_or(id, |i| i.name.as_str())
    }

    /// A change in words, routers and identities by name.
    pub fn label(&self, change: &Change) -> super::ChangeLabel {
        change.label_with(&|t, id| self.display_name(t, id).to_owned())
    }

    /// Every listing, for snapshots.
    pub fn inventory(&self) -> &Inventory {
        &self.inventory
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str, attrs: &[&str]) -> Listing {
        Listing::Present(Info {
            name: name.into(),
            attributes: attrs.iter().map(|a| a.to_string()).collect(),
            kind: None,
        })
    }

    #[test]
    fn a_name_a_rename_and_a_delete() {
        let mut s = Store::new();
        assert_eq!(s.display_name(EntityType::Router, "Kx7pWq2mRa"), "Kx7pWq2mRa", "the id until a name is known");
        let c = s.learn(Timestamp(1), EntityType::Router, "Kx7pWq2mRa", named("edge-eu-1", &["eu"]));
        assert!(matches!(c, Some(Change::Entity { name: Some(ref n), .. }) if n == "edge-eu-1"));
        assert_eq!(s.display_name(EntityType::Router, "Kx7pWq2mRa"), "edge-eu-1");
        assert_eq!(s.summary().routers.total, 1, "listed is known");
        assert!(
            s.learn(Timestamp(1), EntityType::Router, "Kx7pWq2mRa", named("edge-eu-1", &["eu"])).is_none(),
            "a repeat"
        );
        s.learn(Timestamp(3), EntityType::Router, "Kx7pWq2mRa", named("edge-eu-9", &["eu"]));
        assert!(
            s.learn(Timestamp(2), EntityType::Router, "Kx7pWq2mRa", named("old", &[])).is_none(),
            "an older report changes nothing"
        );
        assert_eq!(s.display_name(EntityType::Router, "Kx7pWq2mRa"), "edge-eu-9");
        let c = s.learn(Timestamp(3), EntityType::Router, "Kx7pWq2mRa", Listing::Deleted);
        assert!(matches!(c, Some(Change::Entity { name: None, .. })), "a delete wins a tie");
        assert!(s.deleted(EntityType::Router, "Kx7pWq2mRa"));
        assert_eq!(s.info(EntityType::Router, "Kx7pWq2mRa"), None);
        let restored = Store::from_state(s.state(), s.config().clone());
        assert!(restored.deleted(EntityType::Router, "Kx7pWq2mRa"), "kept across a snapshot");
    }

    #[test]
    fn the_map_and_the_counters_show_names_and_forget_the_deleted() {
        use crate::{ConnKind, Event};
        let mut s = Store::new();
        for (r, at) in [("Kx7", 1), ("Zz9", 1)] {
            s.apply(&Event::conn(Timestamp(at), ConnKind::RouterToCtrl, r, "c1", true).via("c1"));
        }
        s.apply(&Event::conn(Timestamp(2), ConnKind::EdgeToRouter, "id1", "Zz9", true));
        s.learn(Timestamp(3), EntityType::Router, "Kx7", named("edge-eu-1", &["eu"]));
        let t = s.topology(Timestamp(4));
        let kx = t.router("Kx7").unwrap();
        assert_eq!((kx.name.as_str(), kx.attributes.as_slice()), ("edge-eu-1", &["eu".to_string()][..]));
        assert_eq!(t.router("Zz9").unwrap().name, "Zz9", "no name yet: the id");
        assert_eq!(t.row(&crate::layout::NodeId::Router("Kx7".into())).unwrap().name, "edge-eu-1");
        assert_eq!((s.summary().routers.online, s.summary().routers.total), (2, 2));

        s.learn(Timestamp(5), EntityType::Router, "Zz9", Listing::Deleted);
        let t = s.topology(Timestamp(6));
        assert!(t.router("Zz9").is_none(), "a deleted router is off the map");
        assert!(t.edges.iter().all(|e| e.a.id() != "Zz9" && e.b.id() != "Zz9"), "and so are its edges");
        assert_eq!((s.summary().routers.online, s.summary().routers.total), (1, 1), "and the counters");
        s.learn(Timestamp(7), EntityType::Router, "Zz9", named("back", &[]));
        assert_eq!(s.topology(Timestamp(8)).router("Zz9").unwrap().name, "back", "a later create brings it back");
    }

    #[test]
    fn an_alert_reads_the_name_and_keeps_the_id_as_its_subject() {
        use crate::alerts::{alerts_at, AlertConfig, Rule};
        use crate::{ConnKind, Event};
        let mut s = Store::new();
        s.apply(&Event::conn(Timestamp(1), ConnKind::RouterToCtrl, "Kx7", "c1", true).via("c1"));
        s.apply(&Event::conn(Timestamp(2), ConnKind::RouterToCtrl, "Kx7", "c1", false).via("c1"));
        s.learn(Timestamp(3), EntityType::Router, "Kx7", named("edge-eu-1", &[]));
        let alerts = alerts_at(&AlertConfig::default(), &s, Timestamp(4), &Default::default());
        let down = alerts.iter().find(|a| a.key.rule == Rule::RouterDown).expect("router down");
        assert_eq!(down.key.subject, "Kx7", "the key is the id: a rename keeps the alert");
        assert!(down.message.starts_with("edge-eu-1 lost its controllers"), "{}", down.message);
    }

    #[test]
    fn the_map_groups_by_role_attribute_when_the_network_has_them() {
        use crate::{ConnKind, Event};
        let mut s = Store::new();
        for r in ["Aa1", "Bb2", "Cc3"] {
            s.apply(&Event::conn(Timestamp(1), ConnKind::RouterToCtrl, r, "c1", true).via("c1"));
        }
        s.learn(Timestamp(2), EntityType::Router, "Aa1", named("edge-eu-1", &[]));
        s.learn(Timestamp(2), EntityType::Router, "Bb2", named("edge-eu-2", &[]));
        let groups = |s: &Store| {
            s.topology(Timestamp(3)).groups().map(|(i, g)| (i.to_owned(), g.to_owned())).collect::<Vec<_>>()
        };
        let by_name = groups(&s);
        assert_eq!(by_name[0].1, "edge-eu", "by the name's prefix, not the opaque id");
        assert_eq!(by_name[1].1, "edge-eu");
        s.learn(Timestamp(4), EntityType::Router, "Cc3", named("x", &["us", "edge"]));
        s.learn(Timestamp(4), EntityType::Router, "Aa1", named("edge-eu-1", &["eu"]));
        let by_attr = groups(&s);
        assert_eq!(
            by_attr.iter().map(|(_, g)| g.as_str()).collect::<Vec<_>>(),
            ["eu", "", "us"],
            "the first attribute"
        );
    }

    #[test]
    fn a_change_reads_names() {
        use crate::{ConnKey, ConnKind};
        let mut s = Store::new();
        s.learn(Timestamp(1), EntityType::Router, "Kx7", named("edge-eu-1", &[]));
        s.learn(Timestamp(1), EntityType::Identity, "D4v", named("alice-laptop", &[]));
        let c = Change::Conn {
            key: ConnKey::new(ConnKind::EdgeToRouter, "D4v", "Kx7"),
            from: None,
            to: false,
            at: Timestamp(2),
        };
        assert_eq!(s.label(&c).subject, "alice-laptop → edge-eu-1");
        assert_eq!(c.label().subject, "D4v → Kx7", "without a store: the ids");
        let rc = Change::Conn {
            key: ConnKey::new(ConnKind::RouterToCtrl, "Kx7", "c1"),
            from: None,
            to: true,
            at: Timestamp(2),
        };
        assert_eq!(s.label(&rc).subject, "edge-eu-1 → c1", "controllers keep their ids");
    }

    fn listed(id: &str, name: &str, online: Option<bool>) -> EntityListed {
        EntityListed {
            entity: EntityType::Router,
            id: id.into(),
            deleted: false,
            name: name.into(),
            attributes: vec![],
            identity_type: None,
            online,
        }
    }

    #[test]
    fn a_listed_router_has_its_state_until_a_control_channel_is_observed() {
        use crate::store::Health;
        use crate::{ConnKind, Event};
        let mut s = Store::new();
        assert!(s.listed(Timestamp(10), &listed("Kx7", "edge-eu-1", Some(true))).is_some());
        s.listed(Timestamp(10), &listed("Zz9", "edge-us-1", Some(false)));
        assert_eq!(
            (s.router_health("Kx7"), s.router_health("Zz9")),
            (Health::Ok, Health::Down),
            "the first paint knows"
        );
        assert_eq!((s.summary().routers.online, s.summary().routers.total), (1, 2));
        assert_eq!(s.display_name(EntityType::Router, "Kx7"), "edge-eu-1");
        let detail = |s: &Store, id: &str| {
            let node = crate::layout::NodeId::Router(id.into());
            s.topology(Timestamp(20)).row(&node).map(|r| r.detail)
        };
        assert_eq!(detail(&s, "Kx7").as_deref(), Some("online, as the controller API lists it"));
        assert_eq!(detail(&s, "Zz9").as_deref(), Some("offline, as the controller API lists it"));
        s.listed(Timestamp(10), &listed("Qq1", "edge-ap-1", None));
        assert_eq!(detail(&s, "Qq1").as_deref(), Some("no control channel seen"));
        assert!(
            s.listed(Timestamp(5), &listed("Zz9", "edge-us-1", Some(true))).is_none(),
            "an older listing changes nothing"
        );

        let restored = Store::from_state(s.state(), s.config().clone());
        assert_eq!(restored.router_health("Kx7"), Health::Ok, "kept across a snapshot");
        assert_eq!(restored.summary().routers.online, 1);

        // The first observed channel takes over, whatever the listing said.
        s.apply(&Event::conn(Timestamp(11), ConnKind::RouterToCtrl, "Kx7", "c1", false).via("c1"));
        assert_eq!(s.router_health("Kx7"), Health::Down);
        s.apply(&Event::conn(Timestamp(12), ConnKind::RouterToCtrl, "Zz9", "c1", true).via("c1"));
        assert_eq!(s.router_health("Zz9"), Health::Ok);
        assert_eq!(detail(&s, "Zz9").as_deref(), Some("1/1 controllers"), "observed, counted");
        assert_eq!(s.summary().routers.online, 1, "the counts follow");
        s.listed(Timestamp(13), &listed("Kx7", "edge-eu-1", Some(true)));
        assert_eq!(s.router_health("Kx7"), Health::Down, "a listing no longer overrides what was observed");
        assert_eq!(s.topology(Timestamp(14)).router("Kx7").map(|n| n.name.as_str()), Some("edge-eu-1"));
    }

    #[test]
    fn a_listing_can_delete_and_an_identity_keeps_its_type() {
        let mut s = Store::new();
        s.listed(Timestamp(1), &listed("Kx7", "edge-eu-1", Some(true)));
        let gone = EntityListed { deleted: true, name: String::new(), online: None, ..listed("Kx7", "", None) };
        assert!(matches!(s.listed(Timestamp(2), &gone), Some(Change::Entity { name: None, .. })));
        assert_eq!((s.summary().routers.online, s.summary().routers.total), (0, 0), "gone from the counters");
        let alice = EntityListed {
            entity: EntityType::Identity,
            identity_type: Some("User".into()),
            attributes: vec!["staff".into()],
            ..listed("D4v", "alice", None)
        };
        s.listed(Timestamp(3), &alice);
        let info = s.info(EntityType::Identity, "D4v").unwrap();
        assert_eq!((info.kind.as_deref(), info.attributes.len()), (Some("User"), 1));
        assert_eq!(s.summary().identities.total, 1, "an identity that never connected is known");
    }

    #[test]
    fn controllers_are_not_listed() {
        let mut s = Store::new();
        assert!(s.learn(Timestamp(1), EntityType::Controller, "c1", named("ctrl", &[])).is_none());
        assert_eq!(s.display_name(EntityType::Controller, "c1"), "c1");
    }
}
