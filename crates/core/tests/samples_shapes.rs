//! Golden tests over the shapes that `openziti-events.md` §12 has no
//! sample for, built from the controller's Go source (`docs/openziti-shapes.md`):
//! - `entity-changes.jsonl`: `entityChange` for routers and identities
//!   (v2.0 shapes): a create, a create of a tunneler-enabled router with its
//!   identity in one transaction, a rename, a create that is rolled back (a
//!   duplicate name: no commit), a role-attribute change with its parent
//!   copy, a service, a deletion, a transit router's rename, a recovered
//!   commit after a restart;
//! - `old-and-narrow.jsonl`: a v1.2 controller (no `event_src_id`,
//!   `fabric.routers`, `fabric.cluster`) whose metric filters keep only some
//!   statistics.

use std::collections::BTreeMap;
use zitiscope_core::event::{Body, EntityEvent, EntityOp, LatencyOf};
use zitiscope_core::parse::{CommitStats, Commits};
use zitiscope_core::{parse_line, ConnKey, ConnKind, EntityType, Event, Parsed, Store};

fn lines(name: &str) -> Vec<String> {
    let path = format!("{}/tests/samples/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines().map(str::to_owned).collect()
}

/// Every line parsed: the events, and the skipped lines by namespace.
fn parse_all(name: &str) -> (Vec<Event>, BTreeMap<String, usize>) {
    let mut events = Vec::new();
    let mut skipped = BTreeMap::new();
    for (n, line) in lines(name).iter().enumerate() {
        match parse_line(line) {
            Ok(Parsed::Event(e)) => events.push(e),
            Ok(Parsed::Skipped(s)) => *skipped.entry(s.namespace).or_default() += 1,
            Err(e) => panic!("{name}:{}: {e}", n + 1),
        }
    }
    (events, skipped)
}

/// What the committed changes leave: each entity's newest state by the
/// change's time (a deletion removes it), as the store will keep names.
type Named = BTreeMap<(EntityType, String), (Option<String>, Option<Vec<String>>, Option<String>)>;

fn committed(events: &[Event]) -> (Named, CommitStats) {
    let mut commits = Commits::new();
    let mut held = Vec::new();
    for e in events {
        held.extend(commits.offer(e));
    }
    held.sort_by_key(|c| c.at);
    let mut named = Named::new();
    for c in held {
        let key = (c.change.entity, c.change.id.clone());
        if c.change.op == EntityOp::Deleted {
            named.remove(&key);
        } else {
            named.insert(key, (c.change.name, c.change.attributes, c.change.identity_type));
        }
    }
    (named, commits.stats())
}

fn name_of(named: &Named, t: EntityType, id: &str) -> Option<String> {
    named.get(&(t, id.to_owned())).and_then(|(n, _, _)| n.clone())
}

#[test]
fn entity_changes() {
    let (events, skipped) = parse_all("entity-changes.jsonl");
    assert_eq!(events.len(), 20, "22 lines: the parent copy and the service are skipped");
    assert_eq!(skipped.get("entityChange"), Some(&2));
    assert!(events.iter().all(|e| e.via.as_deref() == Some("ctrl1")));

    let (named, stats) = committed(&events);
    assert_eq!(
        stats,
        CommitStats { committed: 8, rolled_back: 1, unmatched: 3 },
        "the duplicate create never commits; the parent's, the service's and the recovered commits match nothing"
    );
    assert_eq!(name_of(&named, EntityType::Identity, "D4vX.q9LmP").as_deref(), Some("alice-laptop"), "renamed");
    let alice = &named[&(EntityType::Identity, "D4vX.q9LmP".to_owned())];
    assert_eq!(alice.1.as_deref(), Some(&["laptops".to_owned(), "sales".into(), "vip".into()][..]));
    assert_eq!(alice.2.as_deref(), Some("Default"), "REST's Device is stored as Default");
    assert!(!named.contains_key(&(EntityType::Identity, "Hn5.tR8cVz".to_owned())), "rolled back: never holds");
    assert!(!named.contains_key(&(EntityType::Identity, "Wz8-kQ2rLm".to_owned())), "deleted");
    assert_eq!(name_of(&named, EntityType::Router, "Tq4.nB7xWe").as_deref(), Some("edge-south"));
    assert_eq!(
        named[&(EntityType::Identity, "Tq4.nB7xWe".to_owned())].2.as_deref(),
        Some("Router"),
        "a tunneler-enabled router's own identity, made in the same transaction"
    );
    let east = &named[&(EntityType::Router, "Kx7pWq2mRa".to_owned())];
    assert_eq!(east.1.as_deref(), Some(&["east".to_owned(), "public".into(), "transit".into()][..]), "the child copy");
    let core = &named[&(EntityType::Router, "Zr0L5hYc3J".to_owned())];
    assert_eq!((core.0.as_deref(), core.1.as_ref()), (Some("core-1"), None), "a transit router has no attributes");
    assert_eq!(named.len(), 5);

    // In any order, with every line twice, the same changes hold.
    let mut scrambled: Vec<Event> = events.iter().rev().chain(events.iter()).cloned().collect();
    scrambled.rotate_left(7);
    assert_eq!(committed(&scrambled).0, named);

    // The store names exactly what committed, whatever the order.
    let mut store = Store::new();
    let renames: usize = events.iter().map(|e| store.apply(e).len()).sum();
    assert!(renames >= named.len(), "each committed name is a change a view redraws for");
    for ((t, id), (name, attributes, kind)) in &named {
        let info = store.info(*t, id).unwrap_or_else(|| panic!("{id} is listed"));
        assert_eq!(Some(&info.name), name.as_ref(), "{id}");
        assert_eq!(&info.attributes, attributes.as_deref().unwrap_or(&[]), "{id}");
        assert_eq!(&info.kind, kind, "{id}");
    }
    assert!(store.deleted(EntityType::Identity, "Wz8-kQ2rLm"), "a committed delete");
    assert_eq!(store.info(EntityType::Identity, "Hn5.tR8cVz"), None, "rolled back: never listed");
    assert_eq!(store.display_name(EntityType::Router, "Tq4.nB7xWe"), "edge-south", "what a person reads");
    let mut again = Store::new();
    for e in &scrambled {
        again.apply(e);
    }
    assert_eq!(again.state().inventory, store.state().inventory, "any order, every line twice");
}

#[test]
fn entity_change_ops_as_parsed() {
    let (events, _) = parse_all("entity-changes.jsonl");
    let ops: Vec<(&str, &str)> = events
        .iter()
        .filter_map(|e| match &e.body {
            Body::Entity(EntityEvent::Staged(c)) => Some((c.op.as_str(), c.id.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        ops,
        [
            ("created", "D4vX.q9LmP"),
            ("created", "Tq4.nB7xWe"),
            ("created", "Tq4.nB7xWe"),
            ("updated", "D4vX.q9LmP"),
            ("created", "Hn5.tR8cVz"),
            ("updated", "Kx7pWq2mRa"),
            ("deleted", "Wz8-kQ2rLm"),
            ("updated", "Zr0L5hYc3J"),
            ("updated", "D4vX.q9LmP"),
        ]
    );
    let deleted = events.iter().find_map(|e| match &e.body {
        Body::Entity(EntityEvent::Staged(c)) if c.op == EntityOp::Deleted => Some(c),
        _ => None,
    });
    assert_eq!(deleted.and_then(|c| c.name.as_deref()), Some("old-kiosk"), "named from the initial state");
}

fn replay_until(events: &[Event], stop: Option<usize>) -> Store {
    let mut s = Store::new();
    for e in &events[..stop.unwrap_or(events.len())] {
        s.apply(e);
    }
    s
}

#[test]
fn old_and_narrow_shapes() {
    let (events, skipped) = parse_all("old-and-narrow.jsonl");
    assert_eq!(skipped.get("metrics"), Some(&2), "only p99, only count: no latency to show");
    assert_eq!(events.len(), 15);
    assert!(events.iter().all(|e| e.via.is_none()), "v1.2 names no reporter");

    let offline =
        1 + events.iter().position(|e| matches!(&e.body, Body::Conn(c) if !c.up)).expect("the router-offline");
    let during = replay_until(&events, Some(offline));
    assert!(
        !during.is_online(EntityType::Router, "Kx7pWq2mRa"),
        "down, although its v1.2 connect named ctrl1 and the offline names no one"
    );
    let named = ConnKey::new(ConnKind::RouterToCtrl, "Kx7pWq2mRa", "ctrl1");
    assert!(!during.get(&named).unwrap().is_up());
    assert!(during.is_online(EntityType::Router, "b.Q4zN8vTe"));

    let end = replay_until(&events, None);
    for r in ["Kx7pWq2mRa", "b.Q4zN8vTe"] {
        assert!(end.is_online(EntityType::Router, r), "{r}");
    }
    // fabric.cluster is cluster: membership and versions arrive; who leads
    // and whom a peer connected to cannot be told without a reporter.
    let c = end.cluster();
    let members: Vec<&str> = c.member_ids().unwrap().iter().map(String::as_str).collect();
    assert_eq!(members, ["ctrl1", "ctrl2", "ctrl3"]);
    assert_eq!(c.version("ctrl2"), Some("v1.2.2"));
    assert_eq!(c.leader_id(), None);

    let link = end.link("4Nq8Zr2vWk1TbY7eHc3PdL").unwrap().latest_latency().unwrap();
    assert_eq!((link.mean_ns, link.p50_ns, link.std_dev_ns), (22_076_499, None, None), "only the mean");
    let ctrl = end.get(&ConnKey::new(ConnKind::RouterToCtrl, "b.Q4zN8vTe", "ctrl1")).unwrap();
    let ctrl = ctrl.latency.get().unwrap();
    assert_eq!((ctrl.mean_ns, ctrl.p50_ns), (1_874_231, Some(1_874_231)), "the median stands in for the mean");
    let peer = end.get(&ConnKey::new(ConnKind::CtrlToCtrl, "ctrl1", "ctrl2")).unwrap();
    let peer = peer.latency.get().unwrap();
    assert_eq!((peer.of, peer.mean_ns, peer.std_dev_ns), (LatencyOf::Peer, 647_268, Some(37_375)));
}

#[test]
fn the_filter_language_reads_the_new_shapes() {
    use zitiscope_core::filter::{Filter, EVENT_SCHEMA};
    let (entity, _) = parse_all("entity-changes.jsonl");
    let (narrow, _) = parse_all("old-and-narrow.jsonl");
    let count = |events: &[Event], expr: &str| {
        let f = Filter::parse(expr, &EVENT_SCHEMA).unwrap_or_else(|e| panic!("{expr}: {e}"));
        events.iter().filter(|e| f.matches(*e)).count()
    };
    assert_eq!(count(&entity, "type=entity"), 20);
    assert_eq!(count(&entity, "op=committed"), 11);
    assert_eq!(count(&entity, "type=entity AND entity=router AND op=updated"), 2);
    assert_eq!(count(&entity, "label=alice-laptop"), 3, "the rename, the rolled-back duplicate, the last update");
    assert_eq!(count(&entity, "name=D4vX.q9LmP"), 3, "`name` is the id, as in every event");
    assert_eq!(count(&entity, "kiosk"), 1, "a bare word finds the label too");
    assert_eq!(count(&narrow, "type=latency"), 3);
    assert_eq!(count(&narrow, "jitter>=0"), 1, "only the peer sample kept its standard deviation");
    assert_eq!(count(&narrow, "type=latency AND latency>1ms"), 2, "the mean, or the median without one");
}
