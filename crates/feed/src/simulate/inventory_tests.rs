//! The inventory in the model: ids in the controller's shape, every entity
//! named before anything names it by id, renames and deletions reaching
//! the real store as the model has them, and the management API's lists.

use super::*;
use crate::simulate::Live;
use std::collections::HashSet;
use zitiscope_core::event::{Body, EntityEvent, EntityOp};
use zitiscope_core::mgmt::{Directory, Paging};

/// A busy steady day whose inventory changes every 2 s.
fn churning(seed: u64) -> SimulateArgs {
    SimulateArgs { renames_every: 2.0, ..busy(seed) }
}

fn is_controller_id(id: &str) -> bool {
    id.len() == 10
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        && id.as_bytes()[0].is_ascii_alphanumeric()
}

#[test]
fn ids_are_opaque_and_the_names_are_the_old_ones() {
    let net = Network::new(&SimulateArgs { routers: 40, identities: 2000, ..SimulateArgs::default() });
    let ids: Vec<&str> =
        net.routers.iter().map(|r| r.id.as_str()).chain(net.identities.iter().map(|i| i.id.as_str())).collect();
    assert!(ids.iter().all(|id| is_controller_id(id)), "{:?}", ids.iter().find(|id| !is_controller_id(id)));
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len(), "never the same id twice");
    let r = &net.routers[2];
    assert_eq!(
        (r.listing.name.as_str(), r.listing.attributes.as_slice()),
        ("edge-eu-1", &["eu".to_string(), "edge".to_string()][..])
    );
    assert_eq!(net.routers[0].listing.attributes, ["core"]);
    assert_eq!(net.identities[0].listing.name, "laptop-0001");
    assert_eq!(net.ctrls[0], "ctrl1", "controllers keep the readable ids operators give them");
    let again = Network::new(&SimulateArgs { routers: 40, identities: 2000, ..SimulateArgs::default() });
    assert_eq!(again.routers[7].id, net.routers[7].id, "the seed's ids, every time");
    let other = Network::new(&SimulateArgs { seed: 2, routers: 40, identities: 2000, ..SimulateArgs::default() });
    assert_ne!(other.routers[7].id, net.routers[7].id);
}

#[test]
fn every_entity_is_named_before_anything_names_it_by_id() {
    let events = play_with(&churning(4), 90, |_, _, _| {});
    let mut store = Store::new();
    let (mut conns, mut entity_events) = (0, 0);
    for e in &events {
        let mut ends: Vec<(EntityType, &str)> = Vec::new();
        match &e.body {
            Body::Conn(c) => {
                let (s, d) = c.kind.ends();
                ends.extend([(s, c.src.as_str()), (d, c.dst.as_str())]);
                conns += 1;
            }
            Body::Link(l) => {
                ends.extend([&l.src, &l.dst].into_iter().flatten().map(|r| (EntityType::Router, r.as_str())));
            }
            Body::Entity(_) => entity_events += 1,
            _ => {}
        }
        for (t, id) in ends.into_iter().filter(|(t, _)| *t != EntityType::Controller) {
            assert!(store.info(t, id).is_some(), "{t:?} {id} is named before {e:?}");
        }
        store.apply(e);
    }
    assert!(conns > 1000 && entity_events > 2 * (12 + 400), "{conns} connection events, {entity_events} entity events");
    assert_eq!(store.summary().routers.total, 12, "no router known but the model's");
}

#[test]
fn renames_and_deletions_reach_the_store_as_the_model_has_them() {
    let mut checked = 0;
    let events = play_with(&churning(9), 120, |second, store, net| {
        if second % 10 != 0 {
            return;
        }
        for r in &net.routers {
            assert_eq!(store.display_name(EntityType::Router, &r.id), r.listing.name, "{}", r.id);
        }
        for i in &net.identities {
            if i.listing.deleted {
                assert!(store.deleted(EntityType::Identity, &i.id), "{} is deleted", i.id);
            } else {
                assert_eq!(store.display_name(EntityType::Identity, &i.id), i.listing.name, "{}", i.id);
            }
        }
        checked += 1;
    });
    assert_eq!(checked, 12);
    let ops = |op: EntityOp| {
        events.iter().filter(|e| matches!(&e.body, Body::Entity(EntityEvent::Staged(c)) if c.op == op)).count()
    };
    assert!(ops(EntityOp::Updated) >= 20, "renames: {}", ops(EntityOp::Updated));
    assert!(ops(EntityOp::Deleted) >= 5, "deletions: {}", ops(EntityOp::Deleted));
    assert!(ops(EntityOp::Created) > 12 + 400, "and creations again: {}", ops(EntityOp::Created));
}

#[test]
fn the_rename_story_renames_a_router_and_recreates_an_identity_under_a_new_id() {
    // Inventory churn is a steady day's: the story is the only change.
    let args = SimulateArgs { renames_every: 2.0, ..scenario(Scenario::Rename, 50) };
    let eu1 = id_of(&args, "edge-eu-1");
    let mut seen = Vec::new();
    // (index, old id, name, second) of the identity the story deletes.
    let mut deleted: Option<(usize, String, String, usize)> = None;
    let mut after = None;
    play_with(&args, 30, |s, store, net| {
        seen.push(store.display_name(EntityType::Router, &eu1).to_owned());
        if deleted.is_none() {
            if let Some(i) = net.identities.iter().position(|i| i.listing.deleted) {
                let gone = &net.identities[i];
                assert!(store.deleted(EntityType::Identity, &gone.id), "the store has it deleted too");
                deleted = Some((i, gone.id.clone(), gone.listing.name.clone(), s));
            }
        }
        if let (30, Some((i, ..))) = (s, &deleted) {
            let back = &net.identities[*i];
            after = Some((
                back.id.clone(),
                back.listing.deleted,
                store.display_name(EntityType::Identity, &back.id).to_owned(),
            ));
        }
    });
    assert_eq!(seen[3], "edge-eu-1", "before the story");
    assert_eq!(seen[6], "edge-eu-1-r1", "renamed 5 s in");
    assert!(seen.iter().all(|n| n == "edge-eu-1" || n == "edge-eu-1-r1"), "no other rename: {seen:?}");
    let (_, old_id, name, when) = deleted.expect("an identity is deleted");
    assert!((15..=16).contains(&when), "deleted 15 s in: {when}");
    let (new_id, still_deleted, read) = after.expect("seen at 30 s");
    assert!(!still_deleted, "created again 10 s later");
    assert_ne!(new_id, old_id, "under a new id");
    assert_eq!(read, name, "with its old name, in the store too");
}

#[test]
fn the_management_api_lists_the_model_a_page_at_a_time() {
    let args = churning(6);
    let mut net = Network::new(&args);
    net.bootstrap(Timestamp(SEC));
    for step in 0..600 {
        net.step(Timestamp(2 * SEC + step * SEC / 10), 0.1);
    }
    let (first, total) = net.router_list(Paging { limit: 5, offset: 0 });
    assert_eq!((first.len(), total), (5, 12));
    let (all, _) = net.router_list(Paging { limit: -1, offset: 0 });
    let ids: Vec<&str> = all.iter().map(|r| r.id.as_str()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "in id order: {ids:?}");
    for r in &all {
        let model = net.routers.iter().find(|m| m.id == r.id).unwrap();
        assert_eq!((r.name.as_str(), r.is_online), (model.listing.name.as_str(), model.down_until.is_none()));
        assert_eq!(r.role_attributes.as_ref(), Some(&model.listing.attributes));
    }
    let present = net.identities.iter().filter(|i| !i.listing.deleted).count();
    assert!(present < 400, "some are deleted after a minute of churn: {present}");
    let mut listed = Vec::new();
    for offset in (0..present).step_by(50) {
        let (page, total) = net.identity_list(Paging { limit: 50, offset: offset as i64 });
        assert_eq!(total, present, "deleted identities are not listed");
        listed.extend(page);
    }
    assert_eq!(listed.len(), present);
    for i in &listed {
        let model = net.identities.iter().find(|m| m.id == i.id).expect("a listed identity exists");
        assert_eq!(i.name, model.listing.name);
        assert_eq!(i.has_edge_router_connection, model.at.is_some());
        assert_eq!(i.identity_type.as_ref().map(|t| t.name.as_str()), Some("Default"));
    }
    // Through the shared handle, as the feed serves it.
    let live = Live::default();
    assert_eq!(live.edge_routers(Paging::default()).1, 0, "nothing before install");
    live.install(net);
    assert_eq!(live.edge_routers(Paging::default()).0.len(), 10);
}
