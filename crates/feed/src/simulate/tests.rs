//! The simulator's model and every scenario's story, played on a simulated
//! clock and checked through the real core store; and the inventory: opaque
//! ids, every entity named before anything names it, renames and deletions
//! reaching the store, and the management API's lists of the model.

use super::*;
use zitiscope_core::{ConnKey, EntityType, Store};

#[path = "inventory_tests.rs"]
mod inventory;

/// The id of the router named `name` in the network `args` builds (ids
/// are the seed's, so the same every time).
fn id_of(args: &SimulateArgs, name: &str) -> String {
    let net = Network::new(args);
    net.routers.iter().find(|r| r.listing.name == name).map(|r| r.id.clone()).expect("a router of that name")
}

const SEC: i64 = 1_000_000_000;

/// Plays `seconds` in 0.1 s steps; calls `at_second` after each whole
/// second with the store so far.
fn play_with(args: &SimulateArgs, seconds: usize, mut at_second: impl FnMut(usize, &Store, &Network)) -> Vec<Event> {
    let mut net = Network::new(args);
    let mut store = Store::new();
    let mut all = net.bootstrap(Timestamp(SEC));
    for e in &all {
        store.apply(e);
    }
    for step in 0..seconds * 10 {
        let evs = net.step(Timestamp(2 * SEC + step as i64 * SEC / 10), 0.1);
        for e in &evs {
            store.apply(e);
        }
        all.extend(evs);
        if step % 10 == 9 {
            at_second(step / 10 + 1, &store, &net);
        }
    }
    all
}

fn busy(seed: u64) -> SimulateArgs {
    SimulateArgs { seed, routers: 12, identities: 400, rate: 200.0, outage_every: 5.0, ..SimulateArgs::default() }
}

fn scenario(s: Scenario, identities: usize) -> SimulateArgs {
    SimulateArgs { seed: 5, routers: 12, identities, rate: 50.0, scenario: s, ..SimulateArgs::default() }
}

fn router_downs(events: &[Event]) -> Vec<&str> {
    let mut downs: Vec<&str> = events
        .iter()
        .filter_map(Event::as_conn)
        .filter(|c| c.kind == ConnKind::RouterToCtrl && !c.up)
        .map(|c| c.src.as_str())
        .collect();
    downs.dedup();
    downs
}

#[test]
fn same_seed_same_story() {
    assert_eq!(play_with(&busy(7), 20, |_, _, _| {}), play_with(&busy(7), 20, |_, _, _| {}));
    assert_ne!(play_with(&busy(7), 20, |_, _, _| {}), play_with(&busy(8), 20, |_, _, _| {}));
}

#[test]
fn bootstrap_brings_the_network_up() {
    let args = SimulateArgs { routers: 40, identities: 3000, ..SimulateArgs::default() };
    let mut net = Network::new(&args);
    let mut store = Store::new();
    for e in net.bootstrap(Timestamp(1)) {
        store.apply(&e);
    }
    let sum = store.summary();
    assert_eq!((sum.controllers.online, sum.controllers.total), (3, 3));
    assert_eq!((sum.routers.online, sum.routers.total), (40, 40));
    assert!(sum.identities.online > 2400 && sum.identities.online < 2700, "{:?}", sum.identities);
    assert_eq!(sum.identities.total, 3000, "every identity is listed, connected or not");
    assert_eq!(sum.links.total, 1 + 38 * 2, "core↔core, and every edge router to both cores");
    assert_eq!(sum.links.online, sum.links.total);
    assert_eq!(store.cluster().leader_id(), Some("ctrl1"));
    assert!(store.quorum());
}

#[test]
fn outages_drop_identities_and_routers_return() {
    let events = play_with(&busy(3), 60, |_, _, _| {});
    let conns: Vec<_> = events.iter().filter_map(Event::as_conn).collect();
    let router_downs = conns.iter().filter(|c| c.kind == ConnKind::RouterToCtrl && !c.up).count();
    let router_ups = conns.iter().filter(|c| c.kind == ConnKind::RouterToCtrl && c.up).count();
    assert!(router_downs >= 3, "outages happen: {router_downs}");
    assert!(router_ups > 12 * 3, "routers return: {router_ups}");
    assert!(conns.iter().any(|c| c.kind == ConnKind::EdgeToRouter && !c.up));
    assert!(conns.iter().any(|c| c.kind == ConnKind::EdgeToCtrl));
    assert!(events.windows(2).all(|w| w[0].at < w[1].at), "timestamps strictly increase");
}

#[test]
fn model_and_store_agree_on_who_is_online() {
    let args =
        SimulateArgs { seed: 11, routers: 10, identities: 300, rate: 300.0, outage_every: 3.0, ..Default::default() };
    let mut checked = 0;
    play_with(&args, 30, |_, store, net| {
        for ident in &net.identities {
            assert_eq!(store.is_online(EntityType::Identity, &ident.id), ident.at.is_some(), "{}", ident.id);
        }
        for r in &net.routers {
            assert_eq!(store.is_online(EntityType::Router, &r.id), r.down_until.is_none(), "{}", r.id);
        }
        for l in &net.links {
            let both_up = net.routers[l.src].down_until.is_none() && net.routers[l.dst].down_until.is_none();
            assert_eq!(store.link_up(&l.id), both_up, "{}", l.id);
        }
        checked += 1;
    });
    assert_eq!(checked, 30);
}

#[test]
fn router_outage_takes_one_router_down_with_its_identities_and_brings_it_back() {
    let mut down_at_10 = None;
    let args = scenario(Scenario::RouterOutage, 400);
    let eu1 = id_of(&args, "edge-eu-1");
    let events = play_with(&args, 50, |s, store, net| {
        let offline: Vec<&str> =
            net.routers.iter().filter(|r| !store.is_online(EntityType::Router, &r.id)).map(|r| r.id.as_str()).collect();
        match s {
            10 => down_at_10 = Some(offline.join(",")),
            30 => assert!(offline.is_empty(), "back after 20 s: {offline:?}"),
            _ => {}
        }
    });
    assert_eq!(down_at_10.as_deref(), Some(eu1.as_str()), "exactly the story's router");
    assert_eq!(router_downs(&events), vec![eu1.as_str(); 1], "no random outages in a scenario");
    let dropped = events
        .iter()
        .filter_map(Event::as_conn)
        .filter(|c| c.kind == ConnKind::EdgeToRouter && !c.up && c.dst == eu1)
        .count();
    assert!(dropped > 20, "its identities dropped with it: {dropped}");
}

#[test]
fn controller_failover_moves_the_leader_and_the_old_one_rejoins() {
    let mut seen = Vec::new();
    play_with(&scenario(Scenario::ControllerFailover, 50), 40, |s, store, _| {
        let leader = store.cluster().leader_id().map(str::to_owned);
        let peer = store.get(&ConnKey::new(ConnKind::CtrlToCtrl, "ctrl1", "ctrl2")).map(|c| c.is_up());
        seen.push((s, leader, peer, store.quorum()));
    });
    let at = |s: usize| seen[s - 1].clone();
    assert_eq!(at(4), (4, Some("ctrl1".into()), Some(true), true), "before the story");
    assert_eq!(at(6), (6, None, Some(false), false), "leader cut off: no leader yet");
    assert_eq!(at(8), (8, Some("ctrl2".into()), Some(false), true), "ctrl2 leads ctrl3: a majority of 3");
    assert_eq!(at(26), (26, Some("ctrl2".into()), Some(true), true), "ctrl1 rejoined as a follower");
}

#[test]
fn flapping_identity_is_detected_as_flapping() {
    let mut flapping_at = None;
    play_with(&scenario(Scenario::FlappingIdentity, 50), 40, |s, store, net| {
        let i = &net.identities[net.flapper.unwrap()];
        let key = ConnKey::new(ConnKind::EdgeToRouter, &i.id, &net.routers[i.home].id);
        let now = Timestamp(2 * SEC + s as i64 * SEC);
        if flapping_at.is_none() && store.lifecycle(&key, now) == Some(zitiscope_core::store::Lifecycle::Flapping) {
            flapping_at = Some(s);
        }
    });
    let s = flapping_at.expect("the identity is flapping");
    assert!((8..20).contains(&s), "after a few cycles of 3 s: {s}");
}

#[test]
fn reconnect_storm_drops_and_reconnects_thousands_within_seconds() {
    let mut online = Vec::new();
    play_with(&scenario(Scenario::ReconnectStorm, 6_000), 12, |_, store, _| {
        online.push(store.summary().identities.online);
    });
    let before = online[3];
    assert!(before > 5_000, "{before}");
    assert!(online[5] < before - 4_500, "5,000 dropped within a second: {online:?}");
    assert!(online[9] + 200 > before, "and reconnected within 3 s more: {online:?}");
}

#[test]
fn link_degradation_raises_latency_and_jitter_then_recovers() {
    let mut seen = Vec::new();
    play_with(&scenario(Scenario::LinkDegradation, 10), 45, |_, store, net| {
        let link = store.link(&net.links[0].id).expect("the link is known");
        let worst = |f: fn(&zitiscope_core::event::LatencySample) -> i64| {
            link.latency.iter().map(|(_, s)| f(s) / 1_000_000).max().unwrap_or(0)
        };
        seen.push((
            worst(|s| s.mean_ns),
            worst(|s| s.std_dev_ns.expect("the simulator reports jitter")),
            net.links[0].base_ms as i64,
        ));
    });
    let (mean, jitter, base) = seen[25];
    assert!(mean > base + 200 && jitter >= 50, "climbed by ~250 ms with jitter: {seen:?}");
    let (mean, jitter, base) = seen[40];
    assert!(mean < base + 5 && jitter <= 2, "recovered: {seen:?}");
}

#[test]
fn everyday_churn_never_looks_like_flapping() {
    // A small network at a high rate: every identity is picked often.
    let args = SimulateArgs {
        seed: 3,
        routers: 12,
        identities: 300,
        rate: 100.0,
        outage_every: 0.0,
        ..SimulateArgs::default()
    };
    let mut worst = 0;
    play_with(&args, 600, |second, store, _| {
        if second % 60 == 0 {
            let now = Timestamp(2 * SEC + second as i64 * SEC);
            let window = Timestamp(now.0 - 300 * SEC);
            let flapping = store.flapping(window, 4).into_iter().filter(|k| k.kind == ConnKind::EdgeToRouter).count();
            worst = worst.max(flapping);
        }
    });
    assert_eq!(worst, 0, "no identity changed state 4 times within 5 minutes");
}
