//! The protocol's invariant, over real stores, a real alert engine and the
//! JSON the worker and the page exchange.

use super::*;
use crate::alerts::{AlertEngine, Notice};
use crate::event::{EntityEvent, EntityListed};
use crate::{ConnKind, Event, Store};
use proptest::prelude::*;

/// Through the wire, as the page gets it.
fn wire(u: &Update) -> Update {
    serde_json::from_str(&serde_json::to_string(u).unwrap()).unwrap()
}

fn name(entity: EntityType, id: &str, name: &str) -> Name {
    Name { entity, id: id.into(), name: name.into() }
}

#[test]
fn a_list_delta_carries_only_what_changed() {
    let r = EntityType::Router;
    let old = vec![name(r, "a", "A"), name(r, "b", "B"), name(r, "c", "C")];
    let new = vec![name(r, "b", "B"), name(r, "c", "C2"), name(r, "d", "D")];
    let d = ListDelta::between(&old, &new);
    assert_eq!(d.put, [name(r, "c", "C2"), name(r, "d", "D")]);
    assert_eq!(d.remove, [(r, "a".to_string())]);
    let mut page = old.clone();
    d.apply(&mut page);
    assert_eq!(page, new);
    assert!(ListDelta::between(&new, &new).is_empty(), "equal lists: nothing");
}

proptest! {
    #[test]
    fn a_list_delta_turns_any_sorted_list_into_any_other(
        old in proptest::collection::btree_map(0u8..40, 0u8..3, 0..30),
        new in proptest::collection::btree_map(0u8..40, 0u8..3, 0..30),
    ) {
        let list = |m: &std::collections::BTreeMap<u8, u8>| -> Vec<Name> {
            m.iter().map(|(k, v)| name(EntityType::Identity, &format!("{k:02}"), &v.to_string())).collect()
        };
        let (old, new) = (list(&old), list(&new));
        let d = ListDelta::between(&old, &new);
        let d: ListDelta<Name> = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
        let mut page = old;
        d.apply(&mut page);
        prop_assert_eq!(page, new);
    }
}

/// One step of the test's life of a worker and its page.
#[derive(Clone, Debug)]
enum Step {
    /// An event reaches the worker's store.
    Conn { kind: ConnKind, src: u8, dst: u8, up: bool },
    /// The inventory names a router (or deletes it).
    Named { router: u8, name: Option<u8> },
    /// The page applied what it has and asks for more.
    Ready,
    /// The operator selects a node, or closes the drawer.
    Select(Option<u8>),
    /// Time passes (alerts' hold times, ages).
    Wait(u8),
    /// The connection and the counters move (every other part of the view).
    Feed(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0u8..6, 0u8..3, any::<bool>()).prop_map(|(src, dst, up)| Step::Conn { kind: ConnKind::RouterToCtrl, src, dst, up }),
        1 => (0u8..3, 0u8..3, any::<bool>()).prop_map(|(src, dst, up)| Step::Conn { kind: ConnKind::CtrlToCtrl, src, dst, up }),
        2 => (0u8..9, 0u8..6, any::<bool>()).prop_map(|(src, dst, up)| Step::Conn { kind: ConnKind::EdgeToRouter, src, dst, up }),
        1 => any::<u8>().prop_map(Step::Feed),
        1 => (0u8..6, proptest::option::of(0u8..4)).prop_map(|(router, name)| Step::Named { router, name }),
        3 => Just(Step::Ready),
        1 => proptest::option::of(0u8..6).prop_map(Step::Select),
        1 => (1u8..120).prop_map(Step::Wait),
    ]
}

/// The worker's side, built as the worker builds it: a store, an alert
/// engine, and the view of both.
struct Worker {
    store: Store,
    /// Newest first, as the worker's `RecentChanges` keeps them.
    recent: Vec<Change>,
    engine: AlertEngine,
    selected: Option<NodeId>,
    now: Timestamp,
    /// The last `Step::Feed`.
    feed: u8,
    mirror: Mirror,
    /// Every alert that fired, in order.
    fired: Vec<Alert>,
}

impl Worker {
    fn new() -> Self {
        let store = Store::new();
        let recent = Vec::new();
        let engine = AlertEngine::new(AlertConfig::default());
        Worker {
            store,
            recent,
            engine,
            selected: None,
            now: Timestamp(1_000_000_000),
            feed: 0,
            mirror: Mirror::new(),
            fired: Vec::new(),
        }
    }

    fn apply(&mut self, ev: &Event) {
        for c in self.store.apply(ev) {
            self.recent.insert(0, c);
        }
        self.recent.truncate(50);
    }

    fn view(&mut self) -> View {
        let topology = self.store.topology(self.now);
        let notices = self.engine.evaluate(&self.store, &topology, None, self.now);
        let fired: Vec<Alert> = notices
            .iter()
            .filter_map(|n| match n {
                Notice::Fired { key, silenced: false } => self.engine.get(key).cloned(),
                _ => None,
            })
            .collect();
        self.fired.extend(fired.iter().cloned());
        self.mirror.fired(fired);
        let recent = self.recent.clone();
        let mut names: Vec<Name> = recent
            .iter()
            .flat_map(|c| c.entities().into_iter().flatten())
            .filter(|(t, _)| *t != EntityType::Controller)
            .map(|(t, id)| Name { entity: t, id: id.to_owned(), name: self.store.display_name(t, id).to_owned() })
            .collect();
        names.sort_by(|a, b| a.order(b));
        names.dedup_by(|a, b| a.order(b).is_eq());
        // Every field is set (no `..Default`: a field added to the view
        // does not compile here until it is), each from something that
        // moves, so a part the protocol forgot leaves the page behind.
        let f = self.feed;
        View {
            n: 0,
            status: match f % 3 {
                0 => FeedStatus::Connecting,
                1 => FeedStatus::Live,
                _ => FeedStatus::Reconnecting { at_ms: f64::from(f), attempt: u32::from(f) },
            },
            beats: if f.is_multiple_of(2) { Beats::Unknown } else { Beats::Sent },
            seq: (f > 10).then_some(u64::from(f)),
            last_update: (f > 20).then_some(f64::from(f) * 1.5),
            clock: (f > 30).then_some(ClockAnchor { at: self.now, epoch_ms: f64::from(f) }),
            ops: crate::ops::Ops {
                silences: (0..f % 4)
                    .map(|i| crate::ops::SharedSilence {
                        id: i64::from(i),
                        silence: crate::alerts::Silence {
                            rule: None,
                            subject: Some(format!("r{i}")),
                            until: Timestamp(i64::from(f)),
                        },
                        by: "ana".into(),
                        comment: String::new(),
                        at: Timestamp(0),
                    })
                    .collect(),
                ..Default::default()
            },
            maintenance: (0..f % 3).map(|i| NodeId::Router(format!("r{i}"))).collect(),
            stats: crate::ClientStats { events: self.store.len() as u64, ..Default::default() },
            summary: self.store.summary(),
            selected: self.selected.clone(),
            details: self.selected.as_ref().and_then(|n| self.store.node_details(n, self.now)),
            identities: self.selected.as_ref().map(|n| self.store.identities_at(n, self.now)).unwrap_or_default(),
            board: self.engine.board("").into_iter().cloned().collect(),
            counts: self.engine.counts(self.now),
            moment: (f > 40).then_some(i64::from(f)),
            travel_error: f.is_multiple_of(5).then(|| format!("history: {f}")),
            past: if f % 2 == 1 { topology.clone() } else { Topology::default() },
            past_summary: (f > 50).then(|| self.store.summary()),
            past_alerts: (f > 60).then(|| self.engine.board("").into_iter().cloned().collect()),
            recent,
            names,
            topology,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The invariant: whatever the worker did and whenever the page asked,
    /// the page that applied every update (through JSON) holds the view of
    /// the last one, and every alert that fired reached it once, in order.
    #[test]
    fn the_page_holds_what_the_worker_sent(steps in proptest::collection::vec(step(), 1..80)) {
        let mut w = Worker::new();
        let mut page = View::default();
        let mut fired_on_page = Vec::new();
        let mut in_flight: Option<Update> = None;
        let mut t = 1_000_000_000i64;
        for s in steps {
            t += 1_000_000;
            match s {
                Step::Conn { kind, src, dst, up } => {
                    let (src, dst) = match kind {
                        ConnKind::RouterToCtrl => (format!("r{src}"), format!("c{dst}")),
                        ConnKind::EdgeToRouter => (format!("i{src}"), format!("r{dst}")),
                        _ => (format!("c{src}"), format!("c{dst}")),
                    };
                    w.apply(&Event::conn(Timestamp(t), kind, src, dst, up).via("c0"));
                }
                Step::Named { router, name } => {
                    let listed = EntityListed {
                        entity: EntityType::Router,
                        id: format!("r{router}"),
                        deleted: name.is_none(),
                        name: name.map(|n| format!("edge-{n}")).unwrap_or_default(),
                        attributes: vec![],
                        identity_type: None,
                        online: None,
                    };
                    let body = crate::event::Body::Entity(EntityEvent::Listed(listed));
                    w.apply(&Event { at: Timestamp(t), via: None, body });
                }
                Step::Ready => {
                    if let Some(u) = in_flight.take() {
                        let riders = page.apply(wire(&u)).unwrap();
                        fired_on_page.extend(riders.fired);
                    }
                    w.mirror.ready(page.n, None);
                }
                Step::Select(node) => w.selected = node.map(|r| NodeId::Router(format!("r{r}"))),
                Step::Wait(s) => t += i64::from(s) * 1_000_000_000,
                Step::Feed(f) => w.feed = f,
            }
            w.now = Timestamp(t);
            // The worker offers its view after every step; the mirror
            // sends only when the page asked.
            let view = w.view();
            if let Some(u) = w.mirror.update(&view, 0.0) {
                prop_assert!(in_flight.is_none(), "one update at a time");
                in_flight = Some(u);
            }
        }
        // The page catches up.
        loop {
            if let Some(u) = in_flight.take() {
                let riders = page.apply(wire(&u)).unwrap();
                fired_on_page.extend(riders.fired);
            }
            w.mirror.ready(page.n, None);
            let view = w.view();
            match w.mirror.update(&view, 0.0) {
                Some(u) => in_flight = Some(u),
                None => {
                    prop_assert_eq!(&page, &View { n: page.n, ..view });
                    break;
                }
            }
        }
        prop_assert_eq!(&page, w.mirror.sent());
        prop_assert_eq!(fired_on_page, w.fired);
    }
}

#[test]
fn an_update_out_of_order_changes_nothing() {
    let mut page = View::default();
    let late = Update { n: 2, ..Update::default() };
    assert_eq!(page.apply(late), Err(OutOfOrder { held: 0, got: 2 }));
    assert_eq!(page, View::default());
}

#[test]
fn a_busy_page_gets_one_update_with_everything_since() {
    let mut m = Mirror::new();
    let mut v = View { seq: Some(1), ..View::default() };
    let first = m.update(&v, 0.0).expect("a new page wants its first update");
    assert!(m.update(&View { seq: Some(2), ..v.clone() }, 0.0).is_none(), "not asked yet");
    v.seq = Some(3);
    v.summary.routers.total = 4;
    m.mark(Mark::SnapshotApplied, 5.0);
    m.ready(0, None);
    assert!(m.update(&v, 0.0).is_none(), "an ask for an update already sent is stale");
    m.ready(first.n, None);
    let next = m.update(&v, 0.0).unwrap();
    assert_eq!((next.n, next.parts.seq, next.parts.summary.map(|s| s.routers.total)), (2, Some(Some(3)), Some(4)));
    assert_eq!(next.riders.marks, [(Mark::SnapshotApplied, 5.0)]);
    m.ready(next.n, None);
    assert!(m.update(&v, 0.0).is_none(), "nothing differs, nothing rides");
}

#[test]
fn an_ask_for_the_next_frame_gathers_until_then() {
    let mut m = Mirror::new();
    let mut v = View { seq: Some(1), ..View::default() };
    let first = m.update(&v, 0.0).unwrap();
    m.ready(first.n, Some(116.0));
    assert_eq!(m.asked_for(100.0), Some(116.0), "the worker comes back then");
    v.seq = Some(2);
    assert!(m.update(&v, 100.0).is_none(), "an event during the frame waits for the ask");
    v.seq = Some(3);
    let next = m.update(&v, 116.0).expect("due");
    assert_eq!(next.parts.seq, Some(Some(3)), "with everything gathered meanwhile");
    assert_eq!(m.asked_for(116.0), None);
    m.ready(next.n, Some(50.0));
    assert!(m.asked(116.0) && m.asked_for(116.0).is_none(), "an ask due already is due now");
}

#[test]
fn a_deselection_crosses_the_wire() {
    let mut m = Mirror::new();
    let mut page = View::default();
    let v = View { details: Some(NodeDetails::default()), ..View::default() };
    page.apply(wire(&m.update(&v, 0.0).unwrap())).unwrap();
    m.ready(page.n, None);
    page.apply(wire(&m.update(&View { details: None, ..v }, 0.0).unwrap())).unwrap();
    assert_eq!(page.details, None, "Some(None) is not read as 'unchanged'");
}

#[test]
fn the_page_reads_names_it_holds_and_ids_otherwise() {
    let v = View { names: vec![name(EntityType::Router, "Kx7", "edge-eu-1")], ..View::default() };
    assert_eq!(v.name(EntityType::Router, "Kx7"), "edge-eu-1");
    assert_eq!(v.name(EntityType::Identity, "Kx7"), "Kx7");
    assert_eq!(v.name(EntityType::Router, "Zz9"), "Zz9");
}

#[test]
fn the_feed_clock_runs_on_the_shared_epoch_clock() {
    let c = ClockAnchor { at: Timestamp(5_000_000_000), epoch_ms: 1_000.0 };
    assert_eq!(c.now(1_500.0), Timestamp(5_500_000_000));
    assert_eq!(c.now(900.0), Timestamp(5_000_000_000), "a clock that went back");
}
