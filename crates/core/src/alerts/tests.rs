use super::*;
use crate::event::{Body, ClusterChange, ClusterEventType, LatencyOf, LatencySample, LinkChange, LinkEventType, Peer};
use crate::{ConnKind, Event, Store};

const S: i64 = 1_000_000_000;

fn at(s: i64) -> Timestamp {
    Timestamp(s * S)
}

/// A store and an engine, evaluated at a test clock.
struct Board {
    store: Store,
    engine: AlertEngine,
    log: Vec<Event>,
}

impl Board {
    fn new(cfg: AlertConfig) -> Self {
        Board { store: Store::new(), engine: AlertEngine::new(cfg), log: Vec::new() }
    }

    fn apply(&mut self, ev: Event) {
        self.store.apply(&ev);
        self.log.push(ev);
    }

    fn conn(&mut self, t: i64, kind: ConnKind, src: &str, dst: &str, up: bool) {
        self.apply(Event::conn(at(t), kind, src, dst, up).via("c1"));
    }

    fn eval(&mut self, t: i64) -> Vec<Notice> {
        self.eval_feed(t, None)
    }

    fn eval_feed(&mut self, t: i64, feed: Option<FeedHealth>) -> Vec<Notice> {
        let topology = self.store.topology(at(t));
        self.engine.evaluate(&self.store, &topology, feed.as_ref(), at(t))
    }

    fn firing(&self) -> Vec<(Rule, String)> {
        let mut v: Vec<(Rule, String)> = (self.engine.board(""))
            .into_iter()
            .filter(|a| a.state == AlertState::Firing)
            .map(|a| (a.key.rule, a.key.subject.clone()))
            .collect();
        v.sort();
        v
    }

    fn alert(&self, rule: Rule, subject: &str) -> &Alert {
        self.engine.get(&AlertKey { rule, subject: subject.into() }).expect("that alert")
    }
}

fn fired(n: &[Notice]) -> Vec<String> {
    n.iter()
        .filter_map(|n| match n {
            Notice::Fired { key, .. } => Some(format!("{}:{}", key.rule.as_str(), key.subject)),
            Notice::Resolved { .. } => None,
        })
        .collect()
}

fn resolved(n: &[Notice]) -> Vec<String> {
    n.iter()
        .filter_map(|n| match n {
            Notice::Resolved { key } => Some(format!("{}:{}", key.rule.as_str(), key.subject)),
            Notice::Fired { .. } => None,
        })
        .collect()
}

/// Two routers on two controllers; edge-eu-3 carries 500 identities.
fn network(identities: usize) -> Board {
    let mut b = Board::new(AlertConfig::default());
    for r in ["edge-eu-3", "edge-us-1"] {
        for c in ["c1", "c2"] {
            b.conn(1, ConnKind::RouterToCtrl, r, c, true);
        }
    }
    for i in 0..identities {
        b.conn(2, ConnKind::EdgeToRouter, &format!("id{i:03}"), "edge-eu-3", true);
    }
    b
}

#[test]
fn a_router_outage_is_one_alert_with_its_identities_folded_in_and_resolves_whole() {
    let mut b = network(500);
    assert!(b.eval(10).is_empty(), "a healthy network raises nothing");
    // The router drops; the controller reports its identities gone within the second.
    b.conn(100, ConnKind::RouterToCtrl, "edge-eu-3", "c1", false);
    b.conn(100, ConnKind::RouterToCtrl, "edge-eu-3", "c2", false);
    for i in 0..500 {
        b.conn(101, ConnKind::EdgeToRouter, &format!("id{i:03}"), "edge-eu-3", false);
    }
    let n = b.eval(102);
    assert_eq!(fired(&n), ["router-down:edge-eu-3"], "one alert, not 501");
    assert_eq!(b.firing().len(), 1, "no mass-disconnect or identity alert beside it");
    let a = b.alert(Rule::RouterDown, "edge-eu-3");
    assert_eq!(a.message, "edge-eu-3 lost its controllers; 500 identities dropped");
    assert_eq!((a.grouped, a.since, a.severity, a.count), (500, at(100), Severity::Critical, 1));
    assert_eq!(a.node, Some(NodeId::Router("edge-eu-3".into())));

    // Evaluating again, and replaying the whole log twice, fires nothing.
    assert!(b.eval(103).is_empty());
    let log = b.log.clone();
    for ev in log.iter().chain(&log) {
        b.store.apply(ev);
    }
    assert!(b.eval(104).is_empty(), "a replay never re-fires");
    assert_eq!(b.alert(Rule::RouterDown, "edge-eu-3").count, 1);

    // It returns, and its identities with it: the alert resolves, once.
    b.conn(200, ConnKind::RouterToCtrl, "edge-eu-3", "c1", true);
    for i in 0..500 {
        b.conn(201, ConnKind::EdgeToRouter, &format!("id{i:03}"), "edge-eu-3", true);
    }
    let n = b.eval(202);
    assert_eq!(resolved(&n), ["router-down:edge-eu-3"]);
    assert!(fired(&n).is_empty());
    assert!(b.eval(203).is_empty());
    let a = b.alert(Rule::RouterDown, "edge-eu-3");
    assert_eq!(
        (a.state, a.resolved_at, a.first_seen, a.last_seen),
        (AlertState::Resolved, Some(at(202)), at(102), at(104))
    );
}

#[test]
fn many_drops_at_a_router_that_stays_up_are_a_mass_disconnect() {
    let mut b = network(80);
    b.eval(10);
    for i in 0..60 {
        b.conn(100 + i / 10, ConnKind::EdgeToRouter, &format!("id{i:03}"), "edge-eu-3", false);
    }
    assert_eq!(fired(&b.eval(110)), ["mass-disconnect:edge-eu-3"]);
    assert_eq!(b.alert(Rule::MassDisconnect, "edge-eu-3").grouped, 60);
    assert_eq!(resolved(&b.eval(100 + 61)), [] as [String; 0], "still within the window");
    assert_eq!(resolved(&b.eval(106 + 61)), ["mass-disconnect:edge-eu-3"], "the window moved past the drops");
}

#[test]
fn a_storm_across_many_routers_is_one_network_wide_alert() {
    let mut b = Board::new(AlertConfig::default());
    for r in 0..6 {
        let router = format!("edge-{r}");
        b.conn(1, ConnKind::RouterToCtrl, &router, "c1", true);
        for i in 0..60 {
            b.conn(2, ConnKind::EdgeToRouter, &format!("id{r}-{i}"), &router, true);
        }
    }
    b.eval(5);
    for r in 0..6 {
        for i in 0..(55 + r) {
            b.conn(100, ConnKind::EdgeToRouter, &format!("id{r}-{i}"), &format!("edge-{r}"), false);
        }
    }
    assert_eq!(fired(&b.eval(101)), ["mass-disconnect:network"], "one alert for six routers");
    let a = b.alert(Rule::MassDisconnect, "network");
    assert_eq!(a.message, "345 identities dropped from 6 routers within 60 s (most at edge-5, edge-4, edge-3, …)");
    assert_eq!((a.grouped, a.node.clone()), (345, None));
    // They come back within seconds: resolved.
    for r in 0..6 {
        for i in 0..(55 + r) {
            b.conn(103, ConnKind::EdgeToRouter, &format!("id{r}-{i}"), &format!("edge-{r}"), true);
        }
    }
    assert_eq!(resolved(&b.eval(104)), ["mass-disconnect:network"]);
}

#[test]
fn a_network_wide_alert_keeps_its_routers_as_it_shrinks() {
    let mut b = Board::new(AlertConfig::default());
    for r in 0..5 {
        let router = format!("edge-{r}");
        b.conn(1, ConnKind::RouterToCtrl, &router, "c1", true);
        for i in 0..60 {
            b.conn(2, ConnKind::EdgeToRouter, &format!("id{r}-{i}"), &router, true);
        }
    }
    b.eval(5);
    for r in 0..5 {
        for i in 0..55 {
            b.conn(100, ConnKind::EdgeToRouter, &format!("id{r}-{i}"), &format!("edge-{r}"), false);
        }
    }
    assert_eq!(fired(&b.eval(101)), ["mass-disconnect:network"]);
    // Three routers' identities return: two are left, still the same incident.
    for r in 0..3 {
        for i in 0..55 {
            b.conn(102, ConnKind::EdgeToRouter, &format!("id{r}-{i}"), &format!("edge-{r}"), true);
        }
    }
    let n = b.eval(103);
    assert!(n.is_empty(), "no per-router alerts as it shrinks: {n:?}");
    assert!(b.alert(Rule::MassDisconnect, "network").message.starts_with("110 identities dropped from 2 routers"));
}

#[test]
fn identities_flapping_at_many_routers_is_one_network_wide_alert() {
    let mut b = Board::new(AlertConfig::default());
    for r in 0..5 {
        b.conn(1, ConnKind::RouterToCtrl, &format!("edge-{r}"), "c1", true);
        for (k, t) in (10..15).enumerate() {
            b.conn(t, ConnKind::EdgeToRouter, &format!("id{r}"), &format!("edge-{r}"), k % 2 == 0);
        }
    }
    assert_eq!(fired(&b.eval(16)), ["identities-flapping:network"]);
    assert_eq!(b.alert(Rule::IdentitiesFlapping, "network").message, "5 identities flapping at 5 routers");
}

#[test]
fn identities_still_down_when_their_router_returns_are_no_new_alert() {
    let mut b = network(80);
    b.eval(10);
    b.conn(100, ConnKind::RouterToCtrl, "edge-eu-3", "c1", false);
    b.conn(100, ConnKind::RouterToCtrl, "edge-eu-3", "c2", false);
    for i in 0..80 {
        b.conn(100, ConnKind::EdgeToRouter, &format!("id{i:03}"), "edge-eu-3", false);
    }
    assert_eq!(fired(&b.eval(101)), ["router-down:edge-eu-3"]);
    // Back after 20 s; its identities return slowly.
    b.conn(120, ConnKind::RouterToCtrl, "edge-eu-3", "c1", true);
    let n = b.eval(121);
    assert_eq!((fired(&n), resolved(&n)), (vec![], vec!["router-down:edge-eu-3".to_string()]), "no mass disconnect");
    // A fresh mass drop after its return is one, though.
    for i in 0..60 {
        b.conn(130, ConnKind::EdgeToRouter, &format!("id{i:03}"), "edge-eu-3", true);
        b.conn(140, ConnKind::EdgeToRouter, &format!("id{i:03}"), "edge-eu-3", false);
    }
    assert_eq!(fired(&b.eval(141)), ["mass-disconnect:edge-eu-3"]);
}

#[test]
fn a_few_drops_are_no_mass_disconnect() {
    let mut b = network(80);
    for i in 0..49 {
        b.conn(100, ConnKind::EdgeToRouter, &format!("id{i:03}"), "edge-eu-3", false);
    }
    assert!(b.eval(101).is_empty(), "49 is under the threshold of 50");
}

fn cluster(b: &mut Board, t: i64, via: &str, event: ClusterEventType, peers: &[&str], leader: Option<&str>) {
    let peers = peers.iter().map(|p| Peer { id: p.to_string(), addr: None, version: None }).collect();
    let body = Body::Cluster(ClusterChange { event, peers, leader: leader.map(str::to_owned), index: Some(1) });
    b.apply(Event { at: at(t), via: Some(via.into()), body });
}

#[test]
fn peers_quorum_and_leader_moves() {
    let mut b = Board::new(AlertConfig { leader_notice_ms: 60_000, ..Default::default() });
    cluster(&mut b, 1, "c1", ClusterEventType::MembersChanged, &["c1", "c2", "c3"], None);
    cluster(&mut b, 1, "c1", ClusterEventType::HasLeader, &[], Some("c1"));
    for (x, y) in [("c1", "c2"), ("c1", "c3"), ("c2", "c3")] {
        cluster(&mut b, 1, x, ClusterEventType::PeerConnected, &[y], None);
    }
    assert!(b.eval(5).is_empty(), "a healthy cluster");

    cluster(&mut b, 10, "c1", ClusterEventType::PeerDisconnected, &["c2"], None);
    assert_eq!(fired(&b.eval(11)), ["peer-down:c1 ↔ c2"]);
    cluster(&mut b, 12, "c1", ClusterEventType::PeerDisconnected, &["c3"], None);
    let n = b.eval(13);
    assert_eq!(fired(&n), ["peer-down:c1 ↔ c3", "quorum-lost:cluster"], "the leader reaches only itself");

    // c2 takes over with c3: quorum again, and the move is on the board for a while.
    cluster(&mut b, 20, "c2", ClusterEventType::HasLeader, &[], Some("c2"));
    let n = b.eval(21);
    assert_eq!(fired(&n), ["leader-changed:cluster"]);
    assert_eq!(resolved(&n), ["quorum-lost:cluster"]);
    assert_eq!(b.alert(Rule::LeaderChanged, "cluster").message, "the cluster leader moved from c1 to c2");
    assert!(b.eval(79).is_empty());
    assert_eq!(resolved(&b.eval(81)), ["leader-changed:cluster"], "the notice ends");
}

#[test]
fn a_flapping_identity_and_a_flapping_router_that_carries_its_identities() {
    let mut b = network(3);
    b.eval(5);
    for (i, t) in (10..15).enumerate() {
        b.conn(t, ConnKind::EdgeToRouter, "id000", "edge-eu-3", i % 2 == 1);
    }
    assert_eq!(fired(&b.eval(16)), ["identities-flapping:edge-eu-3"]);
    assert_eq!(b.alert(Rule::IdentitiesFlapping, "edge-eu-3").message, "1 identity flapping at edge-eu-3: id000");

    // Now the router flaps too: one alert, the identity folded in.
    for (i, t) in (20..25).enumerate() {
        b.conn(t, ConnKind::RouterToCtrl, "edge-eu-3", "c1", i % 2 == 1);
    }
    let n = b.eval(26);
    assert_eq!(fired(&n), ["router-flapping:edge-eu-3"]);
    assert_eq!(resolved(&n), ["identities-flapping:edge-eu-3"]);
    let a = b.alert(Rule::RouterFlapping, "edge-eu-3");
    assert_eq!(a.message, "edge-eu-3 is flapping (1 control channel changing state); 1 identity flapping with it");
    // Quiet for the window: resolved.
    assert_eq!(resolved(&b.eval(25 + 301)), ["router-flapping:edge-eu-3"]);
}

fn link(b: &mut Board, t: i64, id: &str, event: LinkEventType) {
    let body = Body::Link(LinkChange {
        link: id.into(),
        event,
        src: Some("edge-eu-3".into()),
        dst: Some("edge-us-1".into()),
        protocol: None,
        cost: None,
        connections: None,
    });
    b.apply(Event { at: at(t), via: Some("c1".into()), body });
}

fn latency(b: &mut Board, t: i64, id: &str, mean_ms: i64, jitter_ms: i64) {
    let body = Body::Latency(LatencySample {
        of: LatencyOf::Link,
        target: id.into(),
        source: "edge-eu-3".into(),
        mean_ns: mean_ms * 1_000_000,
        p50_ns: Some(mean_ms * 1_000_000),
        p99_ns: Some(mean_ms * 1_000_000),
        std_dev_ns: Some(jitter_ms * 1_000_000),
        unresponsive: false,
    });
    b.apply(Event { at: at(t), via: Some("c1".into()), body });
}

#[test]
fn a_stale_latency_reading_raises_nothing() {
    let mut b = network(0);
    link(&mut b, 5, "L1", LinkEventType::New);
    latency(&mut b, 6, "L1", 300, 2);
    assert_eq!(fired(&b.eval(7)), ["link-latency:L1"]);
    // No sample for an hour, the link still up: the reading is stale.
    let n = b.eval(3_600);
    assert_eq!(resolved(&n), ["link-latency:L1"], "an hour-old reading is no alert");
    latency(&mut b, 3_601, "L1", 300, 2);
    assert_eq!(fired(&b.eval(3_602)), ["link-latency:L1"], "a fresh one is");
}

#[test]
fn links_down_slow_or_jittery_and_folded_into_their_router() {
    let mut b = network(0);
    link(&mut b, 5, "L1", LinkEventType::New);
    latency(&mut b, 6, "L1", 20, 2);
    assert!(b.eval(7).is_empty());
    latency(&mut b, 8, "L1", 300, 2);
    assert_eq!(fired(&b.eval(9)), ["link-latency:L1"]);
    assert_eq!(b.alert(Rule::LinkLatency, "L1").message, "link L1 (edge-eu-3 → edge-us-1): latency 300 ms (over 250)");
    latency(&mut b, 10, "L1", 20, 80);
    assert!(b.eval(11).is_empty(), "jitter now, the same alert goes on");
    assert!(b.alert(Rule::LinkLatency, "L1").message.ends_with("jitter 80 ms (over 50)"));
    link(&mut b, 12, "L1", LinkEventType::Fault);
    let n = b.eval(13);
    assert_eq!((fired(&n), resolved(&n)), (vec!["link-down:L1".to_string()], vec!["link-latency:L1".to_string()]));
    // Its router goes down: the router's alert carries the link.
    b.conn(20, ConnKind::RouterToCtrl, "edge-eu-3", "c1", false);
    b.conn(20, ConnKind::RouterToCtrl, "edge-eu-3", "c2", false);
    let n = b.eval(21);
    assert_eq!(
        (fired(&n), resolved(&n)),
        (vec!["router-down:edge-eu-3".to_string()], vec!["link-down:L1".to_string()])
    );
    assert_eq!(
        b.alert(Rule::RouterDown, "edge-eu-3").message,
        "edge-eu-3 lost its controllers; 0 identities dropped, 1 link down"
    );
}

#[test]
fn the_feed_stale_after_twice_its_heartbeat_and_disconnected_after_its_hold() {
    let mut b = Board::new(AlertConfig { heartbeat_ms: 5_000, disconnected_hold_ms: 10_000, ..Default::default() });
    let live = |beat: i64| {
        Some(FeedHealth { connected: true, since: at(0), last_heard: Some(at(beat)), ..Default::default() })
    };
    assert!(b.eval_feed(10, live(0)).is_empty(), "exactly 2× is not yet stale");
    assert_eq!(fired(&b.eval_feed(11, live(0))), ["feed-stale:feed"]);
    assert_eq!(resolved(&b.eval_feed(12, live(12))), ["feed-stale:feed"], "a heartbeat clears it");
    let down = Some(FeedHealth { connected: false, since: at(20), last_heard: Some(at(12)), ..Default::default() });
    assert!(b.eval_feed(25, down.clone()).is_empty(), "pending: a restart may come back within the hold");
    assert_eq!(b.engine.counts(at(25)).pending, 1);
    assert_eq!(fired(&b.eval_feed(30, down)), ["feed-disconnected:feed"]);
    assert_eq!(resolved(&b.eval_feed(31, live(31))), ["feed-disconnected:feed"]);
    // A blip shorter than the hold never fires, and leaves nothing behind.
    let blip = Some(FeedHealth { connected: false, since: at(40), last_heard: Some(at(31)), ..Default::default() });
    assert!(b.eval_feed(41, blip.clone()).is_empty());
    assert!(b.eval_feed(42, live(42)).is_empty());
    assert_eq!(b.alert(Rule::FeedDisconnected, "feed").count, 1, "the blip did not count");
}

/// The engine's own rules: hold times, acks, silences, the board, the config.
mod engine;
/// The feed's sources: one alert each while down.
mod sources;

#[test]
fn alerts_at_a_past_moment_are_those_whose_conditions_held_then() {
    let mut b = Board::new(AlertConfig { hold_ms: 30_000, ..AlertConfig::default() });
    b.conn(1, ConnKind::RouterToCtrl, "r1", "c1", true);
    b.conn(1, ConnKind::RouterToCtrl, "r2", "c1", true);
    b.conn(100, ConnKind::RouterToCtrl, "r1", "c1", false);
    b.conn(200, ConnKind::RouterToCtrl, "r1", "c1", true);
    let cfg = b.engine.config().clone();
    let keys = |t: i64| {
        alerts_at(&cfg, &b.store, at(t), &Default::default())
            .into_iter()
            .map(|a| (a.key.rule, a.key.subject))
            .collect::<Vec<_>>()
    };
    // A store holds the whole story; the topology at a moment is what counts.
    let mut then = Store::new();
    for e in b.log.iter().filter(|e| e.at <= at(150)) {
        then.apply(e);
    }
    let during = alerts_at(&cfg, &then, at(150), &Default::default());
    assert!(during.iter().any(|a| a.key.rule == Rule::RouterDown && a.key.subject == "r1"), "{during:?}");
    assert!(during.iter().all(|a| a.state == AlertState::Firing), "no hold: what held then is firing then");
    assert!(keys(300).iter().all(|(rule, _)| *rule != Rule::RouterDown), "after it came back: {:?}", keys(300));
}
