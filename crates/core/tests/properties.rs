//! Properties that must hold for any input.

use proptest::prelude::*;
use zitiscope_core::{parse_line, ConnKind, Event, Store, Timestamp};

fn arb_event() -> impl Strategy<Value = Event> {
    (0i64..50, 0usize..4, 0u8..4, 0u8..3, any::<bool>()).prop_map(|(at, k, src, dst, up)| {
        Event::conn(Timestamp(at), ConnKind::ALL[k], format!("s{src}"), format!("d{dst}"), up)
    })
}

/// The log in timestamp order, and the log with up to 8 of its events
/// repeated, shuffled by a seeded Fisher–Yates (reproducible from proptest's
/// seed).
fn sorted_and_scrambled(log: &[Event], seed: u64) -> (Vec<Event>, Vec<Event>) {
    let mut sorted = log.to_vec();
    sorted.sort_by_key(|e| e.at);
    let mut shuffled: Vec<Event> = log.iter().chain(log.iter().take(seed as usize % 9)).cloned().collect();
    let mut x = seed | 1;
    for i in (1..shuffled.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        shuffled.swap(i, (x % (i as u64 + 1)) as usize);
    }
    (sorted, shuffled)
}

proptest! {
    #[test]
    fn parser_never_panics_on_any_string(s in ".{0,300}") {
        let _ = parse_line(&s);
    }

    #[test]
    fn parser_never_panics_on_json_like_input(
        key in prop::sample::select(vec![
            "EventType", "Identity", "Timestamp", "IsConnected", "namespace", "src_type", "timestamp",
            "eventId", "eventType", "entityType", "isParentEvent", "initialState", "finalState", "metrics",
        ]),
        val in prop::sample::select(vec![
            "null", "1", "-1e309", "\"\"", "\"x\"", "[]", "{}", "true", "\"connect\"", "1e300",
            "{\"id\":1}", "{\"id\":\"a\",\"roleAttributes\":[1]}", "{\"mean\":\"x\"}", "\"created\"",
        ]),
    ) {
        let _ = parse_line(&format!("{{\"{key}\":{val}}}"));
        let _ = parse_line(&format!("{{\"namespace\":\"connect\",\"{key}\":{val}}}"));
        let _ = parse_line(&format!(
            "{{\"namespace\":\"entityChange\",\"timestamp\":\"2025-06-12T10:00:00Z\",\"eventId\":\"e\",\"eventType\":\"created\",\"entityType\":\"routers\",\"{key}\":{val}}}"
        ));
        let _ = parse_line(&format!(
            "{{\"namespace\":\"metrics\",\"timestamp\":\"2025-06-12T10:00:00Z\",\"metric\":\"link.latency\",\"source_id\":\"r\",\"source_entity_id\":\"L\",\"{key}\":{val}}}"
        ));
    }

    /// Any order, with duplicates, ends in the same connection states and counts.
    #[test]
    fn order_and_duplicates_do_not_change_the_outcome(
        log in prop::collection::vec(arb_event(), 0..60),
        seed in any::<u64>(),
    ) {
        let (sorted, shuffled) = sorted_and_scrambled(&log, seed);
        let (mut a, mut b) = (Store::new(), Store::new());
        for e in &sorted { a.apply(e); }
        for e in &shuffled { b.apply(e); }
        prop_assert_eq!(a.state(), b.state());
        prop_assert_eq!(a.summary(), b.summary());
    }
}

mod every_kind {
    use proptest::prelude::*;
    use zitiscope_core::alerts::{alerts_at, AlertConfig, Rule};
    use zitiscope_core::event::*;
    use zitiscope_core::filter::{Filter, NODE_SCHEMA};
    use zitiscope_core::layout::NodeId;
    use zitiscope_core::store::{Health, LifecycleConfig, SortBy, StoreConfig};
    use zitiscope_core::{ConnKey, ConnKind, Event, Store, Timestamp};

    fn id(prefix: &'static str, n: u8) -> String {
        format!("{prefix}{n}")
    }

    fn arb_body() -> impl Strategy<Value = Body> {
        prop_oneof![
            (0usize..4, 0u8..3, 0u8..3, any::<bool>(), prop::option::of(0u8..2)).prop_map(|(k, s, d, up, a)| {
                let kind = ConnKind::ALL[k];
                let (sp, dp) = match kind {
                    ConnKind::RouterToCtrl => ("r", "c"),
                    ConnKind::CtrlToCtrl => ("c", "c"),
                    ConnKind::EdgeToCtrl => ("i", "c"),
                    ConnKind::EdgeToRouter => ("i", "r"),
                };
                Body::Conn(ConnChange {
                    kind,
                    src: id(sp, s),
                    dst: id(dp, d),
                    up,
                    addr: a.map(|a| format!("10.0.0.{a}:1")),
                })
            }),
            // A router event that names no controller (before v1.3).
            (0u8..3, any::<bool>()).prop_map(|(r, up)| Body::Conn(ConnChange {
                kind: ConnKind::RouterToCtrl,
                src: id("r", r),
                dst: String::new(),
                up,
                addr: None,
            })),
            // entityChange halves. A change id names one change of one
            // entity (a UUID per change), so its content follows from it;
            // copies of it may come at other times (each HA controller
            // emits its own), and its commit may come first.
            (0u8..5, any::<bool>()).prop_map(|(change, staged)| match staged {
                true => Body::Entity(EntityEvent::Staged(EntityChange {
                    change: id("e", change),
                    entity: zitiscope_core::EntityType::Router,
                    op: if change == 4 { EntityOp::Deleted } else { EntityOp::Updated },
                    id: id("r", change % 3),
                    name: Some(id("name-", change % 2)),
                    attributes: None,
                    identity_type: None,
                })),
                false => Body::Entity(EntityEvent::Committed { change: id("e", change) }),
            }),
            // What the management API listed: a router's name and
            // `isOnline`, or its absence (deleted).
            (0u8..3, prop::option::of(any::<bool>()), 0u8..6).prop_map(|(r, online, n)| {
                Body::Entity(EntityEvent::Listed(EntityListed {
                    entity: zitiscope_core::EntityType::Router,
                    id: id("r", r),
                    deleted: n == 5,
                    name: id("listed-", n % 2),
                    attributes: vec![],
                    identity_type: None,
                    online,
                }))
            }),
            (0u8..3, 0usize..3).prop_map(|(i, s)| Body::Sdk(SdkChange {
                identity: id("i", i),
                status: [SdkStatus::Online, SdkStatus::Offline, SdkStatus::Unknown][s],
            })),
            (0u8..2, 0usize..5, prop::option::of(0u8..3), prop::option::of(1u32..3)).prop_map(|(l, e, src, conns)| {
                let event = [
                    LinkEventType::New,
                    LinkEventType::Fault,
                    LinkEventType::Known,
                    LinkEventType::Duplicate,
                    LinkEventType::ConnectionsChanged,
                ][e];
                Body::Link(LinkChange {
                    link: id("L", l),
                    event,
                    src: src.map(|s| id("r", s)),
                    dst: src.map(|_| "r0".to_string()),
                    protocol: None,
                    cost: None,
                    connections: conns,
                })
            }),
            (0usize..7, 0u8..3, 0u8..3, 0u64..3).prop_map(|(e, a, b, index)| {
                use ClusterEventType as T;
                let event = [
                    T::PeerConnected,
                    T::PeerDisconnected,
                    T::MembersChanged,
                    T::HasLeader,
                    T::IsLeaderless,
                    T::LeadershipLost,
                    T::ReadOnly,
                ][e];
                let peers = match event {
                    T::PeerConnected | T::PeerDisconnected => {
                        vec![Peer { id: id("c", a), addr: None, version: Some(format!("v{b}")) }]
                    }
                    T::MembersChanged => (0..=a).map(|n| Peer { id: id("c", n), addr: None, version: None }).collect(),
                    _ => vec![],
                };
                Body::Cluster(ClusterChange {
                    event,
                    peers,
                    leader: (event == T::HasLeader).then(|| id("c", b)),
                    index: Some(index),
                })
            }),
            (0u8..2, 0u8..3, 1i64..4, any::<bool>()).prop_map(|(l, r, mean, link)| Body::Latency(LatencySample {
                of: if link { LatencyOf::Link } else { LatencyOf::Ctrl },
                target: if link { id("L", l) } else { id("r", r) },
                source: if link { id("r", r) } else { "c0".into() },
                mean_ns: mean,
                p50_ns: Some(mean),
                p99_ns: Some(mean),
                std_dev_ns: Some(0),
                unresponsive: false,
            })),
        ]
    }

    fn arb_event() -> impl Strategy<Value = Event> {
        (0i64..12, prop::option::of(0u8..3), arb_body()).prop_map(|(at, via, body)| Event {
            at: Timestamp(at),
            via: via.map(|v| id("c", v)),
            body,
        })
    }

    /// Bounds big enough that nothing is evicted: exactness is promised
    /// within the retained history.
    fn roomy() -> StoreConfig {
        StoreConfig {
            history_cap: 1_000,
            dedupe_window: 100_000,
            offline_memory: 1_000,
            lifecycle: LifecycleConfig::default(),
        }
    }

    /// A node's health worked out again from its connections alone, apart
    /// from the store's counts: what `health.rs` says it should be.
    fn reference_health(store: &Store, node: &NodeId) -> Health {
        let own = |k: &ConnKey| match node {
            NodeId::Router(id) => k.kind == ConnKind::RouterToCtrl && k.src == *id,
            NodeId::Controller(id) => match k.kind {
                ConnKind::RouterToCtrl => k.dst == *id,
                ConnKind::CtrlToCtrl => k.src == *id || k.dst == *id,
                _ => false,
            },
        };
        let states: Vec<bool> = store.connections().filter(|(k, _)| own(k)).filter_map(|(_, c)| c.life.up()).collect();
        let up = states.iter().filter(|&&u| u).count();
        // Before any channel is observed: the API's newest `isOnline`.
        let listed = match node {
            NodeId::Router(id) => store.inventory().online.get(id).and_then(|l| l.get().copied()),
            NodeId::Controller(_) => None,
        };
        match (node, up, states.len()) {
            (_, _, 0) => match listed {
                Some(true) => Health::Ok,
                Some(false) => Health::Down,
                None => Health::Unknown,
            },
            (_, 0, _) => Health::Down,
            (NodeId::Router(_), up, known) if up < known => Health::Degraded,
            _ => Health::Ok,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// One definition of health: over any event log, in any order, the
        /// store's rule, the map's nodes and list rows, the filter
        /// language's `state` and `healthy`, the drawer, the router-down
        /// alert, a link's effective state and the counters all report the
        /// same health for every node, and it is the one worked out again
        /// from the node's connections.
        #[test]
        fn every_place_reports_the_same_health(log in prop::collection::vec(arb_event(), 0..50), seed in any::<u64>()) {
            let (_, shuffled) = super::sorted_and_scrambled(&log, seed);
            let mut store = Store::with_config(roomy());
            for e in &shuffled { store.apply(e); }
            let now = Timestamp(12);
            let topology = store.topology(now);
            let alerts = alerts_at(&AlertConfig::default(), &store, now, &Default::default());
            let rows = |text: &str| {
                let f = Filter::parse(text, &NODE_SCHEMA).unwrap();
                topology.rows(&f, SortBy::Name, true).into_iter().map(|r| r.node).collect::<Vec<_>>()
            };
            let mut routers_up = 0;
            for n in 0..3 {
                for node in [NodeId::Router(id("r", n)), NodeId::Controller(id("c", n))] {
                    let health = reference_health(&store, &node);
                    prop_assert_eq!(store.node_health(&node), health, "the rule, {:?}", node);
                    let on_map = topology.health(&node);
                    if on_map.is_none() {
                        let deleted = store.deleted(zitiscope_core::EntityType::Router, node.id());
                        prop_assert!(
                            health == Health::Unknown || deleted,
                            "only a node never seen, or deleted, is off the map: {:?}",
                            node
                        );
                        continue;
                    }
                    prop_assert_eq!(on_map, Some(health), "the map, {:?}", node);
                    prop_assert_eq!(topology.row(&node).map(|r| r.health), Some(health), "the list row, {:?}", node);
                    let by_word = rows(&format!("state={}", health.as_str()));
                    prop_assert!(by_word.contains(&node), "the filter's state, {:?}", node);
                    prop_assert_eq!(rows("healthy").contains(&node), health == Health::Ok, "healthy, {:?}", node);
                    let details = store.node_details(&node, now).expect("on the map");
                    prop_assert_eq!(details.health, health, "the drawer, {:?}", node);
                    if let NodeId::Router(r) = &node {
                        prop_assert_eq!(details.up == Some(true), health.is_up(), "the drawer's up, {}", r);
                        let alerted = alerts.iter().any(|a| a.key.rule == Rule::RouterDown && a.key.subject == *r);
                        prop_assert_eq!(alerted, health == Health::Down, "the router-down alert, {}", r);
                        routers_up += usize::from(health.is_up());
                    }
                }
            }
            prop_assert_eq!(store.summary().routers.online, routers_up, "the counters");
            for l in ["L0", "L1"] {
                let Some(link) = store.link(l) else { continue };
                let src_down = link.src.get().is_some_and(|r| reference_health(&store, &NodeId::Router(r.clone())) == Health::Down);
                prop_assert_eq!(store.link_up(l), link.reported_up() && !src_down, "link {}", l);
                let edge = topology.edges.iter().find(|e| e.link.as_deref() == Some(l));
                if let Some(edge) = edge {
                    prop_assert_eq!(edge.up, store.link_up(l), "the map's link {}", l);
                }
            }
        }

        /// Every kind of event, any order, duplicates: the same store as
        /// applying the log once in timestamp order.
        #[test]
        fn any_order_of_any_events_converges(log in prop::collection::vec(arb_event(), 0..50), seed in any::<u64>()) {
            let (sorted, shuffled) = super::sorted_and_scrambled(&log, seed);
            let (mut a, mut b) = (Store::with_config(roomy()), Store::with_config(roomy()));
            for e in &sorted { a.apply(e); }
            for e in &shuffled { b.apply(e); }
            let (sa, sb) = (a.state(), b.state());
            prop_assert_eq!(sa.connections.len(), sb.connections.len());
            for (x, y) in sa.connections.iter().zip(&sb.connections) {
                prop_assert_eq!(&x.0, &y.0);
                prop_assert_eq!(&x.1.life, &y.1.life, "lifeline of {:?}", x.0);
                prop_assert_eq!(&x.1, &y.1, "connection {:?}", x.0);
            }
            prop_assert_eq!(&sa.identities, &sb.identities, "identities");
            prop_assert_eq!(&sa.links, &sb.links, "links");
            prop_assert_eq!(&sa.cluster, &sb.cluster, "cluster");
            prop_assert_eq!(sa, sb);
            prop_assert_eq!(a.summary(), b.summary());
            prop_assert_eq!(a.quorum(), b.quorum());
            prop_assert_eq!(a.cluster().leader_id(), b.cluster().leader_id());
            for l in ["L0", "L1"] {
                prop_assert_eq!(a.link_up(l), b.link_up(l));
            }
            // The map's view and the drawer's: the same whatever the order,
            // and the same after a snapshot (their indices are derived).
            let restored = Store::from_state(a.state(), roomy());
            // What the history writes without copying the store: the same JSON.
            prop_assert_eq!(serde_json::to_string(&a.state_ref()).unwrap(), serde_json::to_string(&a.state()).unwrap());
            // A copy is a store of its own: a seek replays into one.
            let before = a.state();
            let mut copy = a.clone();
            prop_assert_eq!(copy.state(), before.clone());
            copy.apply(&Event::conn(Timestamp(99), ConnKind::RouterToCtrl, "r-copy", "c-copy", true));
            prop_assert_ne!(copy.state(), before.clone());
            prop_assert_eq!(a.state(), before, "the original is untouched");
            let now = Timestamp(12);
            prop_assert_eq!(a.topology(now), b.topology(now));
            prop_assert_eq!(restored.topology(now), a.topology(now));
            for n in 0..3 {
                for node in [NodeId::Router(id("r", n)), NodeId::Controller(id("c", n))] {
                    prop_assert_eq!(a.node_details(&node, now), b.node_details(&node, now), "{:?}", node);
                    prop_assert_eq!(a.identities_at(&node, now), b.identities_at(&node, now), "{:?}", node);
                    prop_assert_eq!(restored.node_details(&node, now), a.node_details(&node, now));
                    prop_assert_eq!(restored.identities_at(&node, now), a.identities_at(&node, now));
                }
            }
        }
    }
}
