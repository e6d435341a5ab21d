//! Golden tests over the OpenZiti sample streams (copied from
//! `shared/samples/`; the files are the controller's exact JSON encoding).
//! Each test checks the end state that `openziti-events.md` §12 gives.

use std::collections::BTreeMap;
use zitiscope_core::event::SdkStatus;
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

const ROUTERS: [&str; 3] = ["Zr0L5hYc3J", "Kx7pWq2mRa", "b.Q4zN8vTe"];
const IDENTITIES: [&str; 4] = ["D4vX.q9LmP", "h7TzR0w.Ke", "pQ3mN8sVbY", "V9.xCk2ZtA"];
const ADMIN: &str = "Ea3.Tk9Wfm";

#[test]
fn connect_events() {
    let o = replay("connect-events.jsonl", None);
    assert_eq!(o.events, 26);
    assert_eq!(o.store.stats().duplicates, 3, "the HA copies of identity→router connects");
    let s = &o.store;
    for r in ROUTERS {
        assert!(s.is_online(EntityType::Router, r), "{r}");
    }
    for c in ["ctrl1", "ctrl2", "ctrl3"] {
        assert!(s.is_online(EntityType::Controller, c), "{c}");
    }
    for i in IDENTITIES {
        assert!(s.is_online(EntityType::Identity, i), "{i}");
    }
    assert!(!s.is_online(EntityType::Identity, ADMIN), "REST activity only: seen, never online");
    let sum = s.summary();
    assert_eq!((sum.identities.online, sum.identities.total), (4, 5));
    assert_eq!((sum.routers.online, sum.routers.total), (3, 3));
}

#[test]
fn sdk_events() {
    let mid = replay("sdk-events.jsonl", Some("10:20:51.204377019Z"));
    assert!(!mid.store.is_online(EntityType::Identity, "pQ3mN8sVbY"), "offline after the unknown timeout");
    let end = replay("sdk-events.jsonl", None);
    for i in IDENTITIES {
        assert!(end.store.is_online(EntityType::Identity, i), "{i}");
        assert_eq!(end.store.identity(i).unwrap().sdk.unwrap().1, SdkStatus::Online);
    }
}

#[test]
fn router_events() {
    let mid = replay("router-events.jsonl", Some("11:40:00.232004962Z"));
    assert!(!mid.store.is_online(EntityType::Router, "b.Q4zN8vTe"), "west lost both controllers");
    assert!(mid.store.is_online(EntityType::Router, "Kx7pWq2mRa"));
    let end = replay("router-events.jsonl", None);
    assert_eq!(end.store.len(), 6, "3 routers × 2 controllers");
    assert_eq!(end.store.summary().routers.online, 3);
}

#[test]
fn cluster_events() {
    let o = replay("cluster-events.jsonl", None);
    let c = o.store.cluster();
    let members: Vec<&str> = c.member_ids().unwrap().iter().map(String::as_str).collect();
    assert_eq!(members, ["ctrl1", "ctrl2", "ctrl3"]);
    assert_eq!(c.members.as_ref().unwrap().0, 9);
    assert_eq!(c.leader_id(), Some("ctrl1"));
    assert!(!c.is_read_only(), "state.rw after the rolling upgrade");
    assert!(c.rejected.contains("ctrl4"));
    assert!(o.store.quorum());
    for ctrl in ["ctrl1", "ctrl2", "ctrl3"] {
        assert!(o.store.is_online(EntityType::Controller, ctrl), "{ctrl}");
    }
    assert_eq!(c.version("ctrl3"), Some("v1.6.21"));

    let leaderless = replay("cluster-events.jsonl", Some("state.is_leaderless"));
    assert_eq!(leaderless.store.cluster().leader_id(), None);
    assert!(!leaderless.store.quorum());
    let ro = replay("cluster-events.jsonl", Some("\"state.ro\""));
    assert!(ro.store.cluster().is_read_only());
}

#[test]
fn link_events() {
    let o = replay("link-events.jsonl", None);
    let s = &o.store;
    for up in ["4Nq8Zr2vWk1TbY7eHc3PdL", "7HsK2pLx9QmR4cTz1VbN8e", "2Wea35TgSfWbh3P1wmEyLd"] {
        assert!(s.link_up(up), "{up} up");
    }
    for down in ["1aZ9xW3vR7pK5nM2qL8tYc", "3fRt6YbN1pQ8zLk4WcV7xe", "6slUYCqOB85YTfdiD8I5pl"] {
        assert!(!s.link_up(down), "{down} down");
    }
    let split = s.link("2Wea35TgSfWbh3P1wmEyLd").unwrap();
    assert_eq!(split.protocol.get().map(String::as_str), Some("dtls"));
    assert!(split.connections.get().is_some(), "connectionsChanged updates the count");
}

#[test]
fn metrics_latency() {
    let o = replay("metrics-latency.jsonl", None);
    assert_eq!(o.skipped.get("metrics"), Some(&1), "only the meter is skipped");
    let link = o.store.link("4Nq8Zr2vWk1TbY7eHc3PdL").unwrap();
    assert_eq!(link.latency.len(), 2, "each end reports its own histogram");
    let latest = link.latest_latency().unwrap();
    assert!(latest.mean_ns > 20_000_000 && latest.mean_ns < 23_000_000, "~22 ms: {}", latest.mean_ns);
    assert!(latest.std_dev_ns.is_some_and(|j| j > 0), "jitter");
    let sentinel = o.store.link("7HsK2pLx9QmR4cTz1VbN8e").unwrap();
    assert!(sentinel.latest_latency().unwrap().unresponsive);
}

#[test]
fn mixed_outage_story() {
    let during = replay("mixed-outage.jsonl", Some("\"router-offline\""));
    assert!(!during.store.is_online(EntityType::Router, "Kx7pWq2mRa"), "east is down");
    assert!(during.store.is_online(EntityType::Router, "b.Q4zN8vTe"));
    assert!(!during.store.link_up("1aZ9xW3vR7pK5nM2qL8tYc"), "link C dropped silently with east");
    assert!(!during.store.link_up("4Nq8Zr2vWk1TbY7eHc3PdL"), "link A faulted");

    let end = replay("mixed-outage.jsonl", None);
    let s = &end.store;
    for r in ROUTERS {
        assert!(s.is_online(EntityType::Router, r), "{r}");
    }
    for l in ["4Nq8Zr2vWk1TbY7eHc3PdL", "7HsK2pLx9QmR4cTz1VbN8e", "1aZ9xW3vR7pK5nM2qL8tYc"] {
        assert!(s.link_up(l), "link {l}");
    }
    for i in IDENTITIES {
        assert!(s.is_online(EntityType::Identity, i), "{i}");
    }
    assert!(!s.is_online(EntityType::Identity, ADMIN));
    let skipped: Vec<(&str, usize)> = end.skipped.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(skipped, [("circuit", 4), ("terminator", 3)]);
}

/// The whole mixed story, shuffled and with every line twice, ends the same.
#[test]
fn mixed_outage_in_any_order() {
    let path = format!("{}/tests/samples/mixed-outage.jsonl", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    let events: Vec<_> = text
        .lines()
        .filter_map(|l| match parse_line(l).unwrap() {
            Parsed::Event(e) => Some(e),
            Parsed::Skipped(_) => None,
        })
        .collect();
    let mut sorted = events.clone();
    sorted.sort_by_key(|e| e.at);
    let mut in_order = Store::new();
    for e in &sorted {
        in_order.apply(e);
    }
    let mut scrambled: Vec<_> = events.iter().chain(events.iter()).cloned().collect();
    scrambled.reverse();
    scrambled.rotate_left(37);
    let mut any = Store::new();
    for e in &scrambled {
        any.apply(e);
    }
    assert_eq!(any.state(), in_order.state());
    assert_eq!(any.summary(), in_order.summary());
}
