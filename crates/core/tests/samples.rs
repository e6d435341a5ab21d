//! Golden tests over the OpenZiti sample streams (copied from
//! `shared/samples/`; the files are the controller's exact JSON encoding).

use std::collections::BTreeMap;
use zitiscope_core::{parse_line, EntityType, Parsed, Store};

struct Outcome {
    store: Store,
    events: usize,
    skipped: BTreeMap<String, usize>,
}

fn replay(name: &str, stop_after: Option<&str>) -> Outcome {
    let path = format!("{}/tests/samples/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut out = Outcome { store: Store::new(), events: 0, skipped: BTreeMap::new() };
    for (n, line) in text.lines().enumerate() {
        match parse_line(line) {
            Ok(Parsed::Event(e)) => {
                out.events += 1;
                out.store.apply(&e);
            }
            Ok(Parsed::Skipped(s)) => *out.skipped.entry(s.namespace).or_default() += 1,
            Err(e) => panic!("{name}:{}: {e}", n + 1),
        }
        if stop_after.is_some_and(|needle| line.contains(needle)) {
            break;
        }
    }
    out
}

#[test]
fn every_sample_line_parses_or_is_skipped() {
    for name in [
        "cluster-events.jsonl",
        "connect-events.jsonl",
        "link-events.jsonl",
        "metrics-latency.jsonl",
        "mixed-outage.jsonl",
        "router-events.jsonl",
        "sdk-events.jsonl",
    ] {
        replay(name, None);
    }
}

#[test]
fn connect_events_final_state() {
    let o = replay("connect-events.jsonl", None);
    assert_eq!(o.events, 26);
    let s = &o.store;
    for r in ["Zr0L5hYc3J", "Kx7pWq2mRa", "b.Q4zN8vTe"] {
        assert!(s.is_online(EntityType::Router, r), "{r}");
    }
    for c in ["ctrl1", "ctrl2", "ctrl3"] {
        assert!(s.is_online(EntityType::Controller, c), "{c}");
    }
    for i in ["D4vX.q9LmP", "h7TzR0w.Ke", "pQ3mN8sVbY", "V9.xCk2ZtA"] {
        assert!(s.is_online(EntityType::Identity, i), "{i}");
    }
    // The admin only ever made REST calls: seen, never online.
    assert!(!s.is_online(EntityType::Identity, "Ea3.Tk9Wfm"));
    let sum = s.summary();
    assert_eq!((sum.identities.online, sum.identities.total), (4, 5));
    assert_eq!((sum.routers.online, sum.routers.total), (3, 3));
    assert_eq!((sum.controllers.online, sum.controllers.total), (3, 3));
}

#[test]
fn router_events_partial_outage_and_restart() {
    let mid = replay("router-events.jsonl", Some("11:40:00.232004962Z"));
    assert!(!mid.store.is_online(EntityType::Router, "b.Q4zN8vTe"), "west lost both controllers");
    assert!(mid.store.is_online(EntityType::Router, "Kx7pWq2mRa"));
    let end = replay("router-events.jsonl", None);
    assert_eq!(end.store.len(), 6, "3 routers × 2 controllers");
    assert_eq!(end.store.summary().routers.online, 3);
}

#[test]
fn mixed_outage_story() {
    let during = replay("mixed-outage.jsonl", Some("\"router-offline\""));
    assert!(!during.store.is_online(EntityType::Router, "Kx7pWq2mRa"), "east is down");
    assert!(during.store.is_online(EntityType::Router, "b.Q4zN8vTe"));

    let end = replay("mixed-outage.jsonl", None);
    for r in ["Zr0L5hYc3J", "Kx7pWq2mRa", "b.Q4zN8vTe"] {
        assert!(end.store.is_online(EntityType::Router, r), "{r}");
    }
    assert!(!end.store.is_online(EntityType::Identity, "Ea3.Tk9Wfm"));
    let skipped: Vec<(&str, usize)> = end.skipped.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(skipped, [("circuit", 4), ("link", 9), ("metrics", 62), ("sdk", 16), ("terminator", 3)]);
    assert_eq!(end.events, 39 + 5);
}
