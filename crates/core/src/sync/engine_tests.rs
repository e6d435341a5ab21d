//! The engine, driven as the worker drives it: real SSE messages in, the
//! page's view out (through JSON).

use super::*;
use crate::alerts::Silence;
use crate::alerts::{AlertState, Rule};
use crate::ops::{Ops, SharedAck, SharedSilence};
use crate::wire::Snapshot;
use crate::{ConnKind, Event, Store};

const T0: f64 = 1_750_000_000_000.0;

fn at(ms: f64) -> Timestamp {
    Timestamp::from_millis(ms)
}

/// A feed's snapshot of a network where `edge-eu-1` lost its controller.
fn snapshot() -> String {
    let mut s = Store::new();
    s.apply(&Event::conn(at(T0 - 60_000.0), ConnKind::RouterToCtrl, "Kx7", "c1", true).via("c1"));
    s.apply(&Event::conn(at(T0 - 60_000.0), ConnKind::RouterToCtrl, "Zz9", "c1", true).via("c1"));
    s.apply(&Event::conn(at(T0 - 30_000.0), ConnKind::RouterToCtrl, "Kx7", "c1", false).via("c1"));
    let listed = crate::event::EntityListed {
        entity: EntityType::Router,
        id: "Kx7".into(),
        deleted: false,
        name: "edge-eu-1".into(),
        attributes: vec![],
        identity_type: None,
        online: None,
    };
    let body = crate::event::Body::Entity(crate::event::EntityEvent::Listed(listed));
    s.apply(&Event { at: at(T0 - 50_000.0), via: None, body });
    serde_json::to_string(&Snapshot { run: "f1".into(), seq: 3, at: at(T0), state: s.state() }).unwrap()
}

/// A page: applies what the engine sends, through JSON, and asks again.
struct Page {
    view: View,
    fired: Vec<Alert>,
    quiet: Vec<Alert>,
    marks: Vec<(Mark, f64)>,
}

impl Page {
    fn new() -> Self {
        Page { view: View::default(), fired: Vec::new(), quiet: Vec::new(), marks: Vec::new() }
    }

    /// Takes the engine's update, if any; `true` if there was one.
    fn take(&mut self, e: &mut Engine, now_ms: f64) -> bool {
        let Some(u) = e.update(now_ms) else { return false };
        let u: Update = serde_json::from_str(&serde_json::to_string(&u).unwrap()).unwrap();
        let riders = self.view.apply(u).unwrap();
        self.fired.extend(riders.fired);
        self.quiet.extend(riders.quiet);
        self.marks.extend(riders.marks);
        e.command(Command::Ready { applied: self.view.n, send_at: None }, now_ms);
        true
    }
}

fn engine() -> Engine {
    let mut e = Engine::new(AlertConfig::default());
    e.connection(FeedStatus::Live, Beats::Sent, T0);
    e
}

#[test]
fn a_snapshot_reaches_the_page_with_names_alerts_and_marks() {
    let mut e = engine();
    let mut page = Page::new();
    e.mark(Mark::SnapshotReceived, T0);
    e.message("snapshot", "f1:3", &snapshot(), T0);
    e.mark(Mark::SnapshotApplied, T0 + 7.0);
    assert!(page.take(&mut e, T0));
    let v = &page.view;
    assert_eq!((v.summary.routers.online, v.summary.routers.total), (1, 2));
    assert_eq!(v.topology.routers.len(), 2);
    assert_eq!(v.seq, Some(3));
    assert_eq!(v.status, FeedStatus::Live);
    assert_eq!(v.clock, Some(ClockAnchor { at: at(T0), epoch_ms: T0 }));
    assert_eq!(page.marks, [(Mark::SnapshotReceived, T0), (Mark::SnapshotApplied, T0 + 7.0)]);
    let down = page.view.board.iter().find(|a| a.key.rule == Rule::RouterDown).expect("the router-down alert");
    assert_eq!((down.state, down.key.subject.as_str()), (AlertState::Firing, "Kx7"));
    assert!(down.message.starts_with("edge-eu-1 lost its controllers"), "{}", down.message);
    assert_eq!(page.fired.iter().map(|a| a.key.rule).collect::<Vec<_>>(), [Rule::RouterDown], "fired once");
    assert_eq!(page.view.counts.firing, 1);
    assert_eq!(e.resume_point().as_deref(), Some("f1:3"));
    assert!(!page.take(&mut e, T0 + 10.0), "nothing new, nothing sent");
}

#[test]
fn an_ask_for_the_next_frame_builds_the_map_at_once_and_sends_when_due() {
    let mut e = engine();
    let mut page = Page::new();
    e.message("snapshot", "f1:3", &snapshot(), T0);
    assert!(page.take(&mut e, T0));
    let batch = |r: &str, seq: u64, e: &mut Engine, ms: f64| {
        let events = vec![Event::conn(at(ms), ConnKind::RouterToCtrl, r, "c1", true).via("c1")];
        e.message("batch", &format!("f1:{seq}"), &serde_json::to_string(&events).unwrap(), ms);
    };
    batch("Aa1", 4, &mut e, T0 + 200.0);
    e.command(Command::Ready { applied: page.view.n, send_at: Some(T0 + 212.0) }, T0 + 200.0);
    assert_eq!(e.held_until(), None, "the new router's map was built at the ask");
    batch("Bb2", 5, &mut e, T0 + 205.0);
    assert!(!page.take(&mut e, T0 + 205.0), "gathering until the ask is due");
    assert!(page.take(&mut e, T0 + 212.0));
    assert_eq!(page.view.topology.routers.len(), 3, "the map as built at the ask");
    assert_eq!(
        (page.view.summary.routers.online, page.view.seq),
        (3, Some(5)),
        "the counts as they are when it leaves"
    );
    assert_eq!(e.held_until(), Some(T0 + 300.0), "the router that came meanwhile is drawn within 100 ms");
}

#[test]
fn a_busy_page_gets_everything_since_in_one_update_and_the_map_at_most_every_100_ms() {
    let mut e = engine();
    let mut page = Page::new();
    e.message("snapshot", "f1:3", &snapshot(), T0);
    let first = e.update(T0).unwrap();
    // The page is drawing: batches arrive and nothing goes to it.
    for (i, r) in ["Aa1", "Bb2", "Cc3"].iter().enumerate() {
        let batch = vec![Event::conn(at(T0 + 1.0), ConnKind::RouterToCtrl, *r, "c1", true).via("c1")];
        e.message("batch", &format!("f1:{}", 4 + i), &serde_json::to_string(&batch).unwrap(), T0 + 1.0);
        assert!(e.update(T0 + 2.0).is_none(), "not asked");
    }
    page.view.apply(first).unwrap();
    e.command(Command::Ready { applied: 1, send_at: None }, T0 + 20.0);
    assert!(page.take(&mut e, T0 + 20.0));
    assert_eq!(page.view.n, 2);
    assert_eq!((page.view.summary.routers.online, page.view.seq), (4, Some(6)), "the counts at once");
    assert_eq!(page.view.topology.routers.len(), 2, "the map waits for its 100 ms");
    assert_eq!(e.held_until(), Some(T0 + TOPOLOGY_EVERY_MS));
    assert!(page.take(&mut e, T0 + TOPOLOGY_EVERY_MS));
    assert_eq!(page.view.topology.routers.len(), 5);
    assert_eq!(e.held_until(), None, "nothing owed");
}

#[test]
fn the_page_selects_asks_for_names_and_acks() {
    let mut e = engine();
    let mut page = Page::new();
    e.message("snapshot", "f1:3", &snapshot(), T0);
    page.take(&mut e, T0);
    assert_eq!(page.view.details, None);
    e.command(Command::Select { node: Some(NodeId::Router("Kx7".into())), identities: true }, T0);
    e.command(Command::Names { of: vec![(EntityType::Router, "Kx7".into()), (EntityType::Router, "nope".into())] }, T0);
    assert!(page.take(&mut e, T0 + 1.0));
    assert_eq!(page.view.details.as_ref().map(|d| d.up), Some(Some(false)));
    assert_eq!(page.view.name(EntityType::Router, "Kx7"), "edge-eu-1");
    assert_eq!(page.view.names.len(), 1, "an unnamed one reads as its id");
    // Asks repeat names (a log's rows): each is kept once, the newest ask last.
    assert!(page.view.recent.is_empty(), "Kx7's name is there because it was asked for");
    let many: Vec<_> = (0..NAMES_CAP).map(|i| (EntityType::Identity, format!("i{i}"))).collect();
    let kx7 = (EntityType::Router, "Kx7".to_string());
    e.command(Command::Names { of: vec![kx7.clone(); 3] }, T0);
    e.command(Command::Names { of: many[..NAMES_CAP - 1].to_vec() }, T0);
    e.command(Command::Names { of: vec![kx7.clone(), kx7] }, T0);
    e.command(Command::Names { of: many[NAMES_CAP - 1..].to_vec() }, T0);
    assert!(page.take(&mut e, T0 + 1.0) || page.view.names.len() == 1);
    assert_eq!(page.view.name(EntityType::Router, "Kx7"), "edge-eu-1", "asked again: not the oldest, kept");

    // The feed's shared state: an ack, then a silence over Kx7 too.
    let key = page.view.board[0].key.clone();
    let ack = SharedAck { id: 1, key: key.clone(), by: "ana".into(), comment: "rebooting".into(), at: at(T0 + 1.0) };
    let mut ops = Ops { acks: vec![ack], ..Ops::default() };
    e.message(crate::wire::OPS, "", &serde_json::to_string(&ops).unwrap(), T0 + 2.0);
    assert!(page.take(&mut e, T0 + 2.0));
    let acked = page.view.board[0].ack.as_ref().map(|a| (a.by.as_str(), a.comment.as_str()));
    assert_eq!(acked, Some(("ana", "rebooting")));
    let silence = Silence { rule: None, subject: Some("Kx7".into()), until: at(T0 + 60_000.0) };
    ops.silences.push(SharedSilence { id: 2, silence, by: "ana".into(), comment: String::new(), at: at(T0) });
    e.message(crate::wire::OPS, "", &serde_json::to_string(&ops).unwrap(), T0 + 3.0);
    assert!(page.take(&mut e, T0 + 3.0));
    assert_eq!((page.view.ops.silences.len(), page.view.counts.silenced), (1, 1));
    ops.silences.clear();
    e.message(crate::wire::OPS, "", &serde_json::to_string(&ops).unwrap(), T0 + 4.0);
    assert!(page.take(&mut e, T0 + 4.0));
    assert!(page.view.ops.silences.is_empty());
    e.message(crate::wire::OPS, "", "{\"acks\": 3}", T0 + 4.5);
    assert!(page.take(&mut e, T0 + 4.5));
    assert_eq!(page.view.stats.rejected, 1, "a broken ops message is counted, and the last one stays");
    assert_eq!(page.view.board[0].ack.as_ref().map(|a| a.by.as_str()), Some("ana"));
    e.command(Command::Select { node: None, identities: false }, T0 + 5.0);
    assert!(page.take(&mut e, T0 + 5.0));
    assert_eq!(page.view.details, None, "the drawer closed");
}

#[test]
fn a_dead_feed_is_alerted_by_the_tick_and_a_reset_asks_to_reconnect() {
    let mut e = engine();
    let mut page = Page::new();
    e.message("snapshot", "f1:3", &snapshot(), T0);
    page.take(&mut e, T0);
    e.connection(FeedStatus::Reconnecting { at_ms: T0 + 1_000.0, attempt: 1 }, Beats::Sent, T0 + 100.0);
    e.tick(T0 + 20_000.0);
    assert!(page.take(&mut e, T0 + 20_000.0));
    assert!(
        page.view.board.iter().any(|a| a.key.rule == Rule::FeedDisconnected && a.state == AlertState::Firing),
        "{:?}",
        page.view.board
    );
    assert!(!e.take_reconnect());
    e.message("reset", "", "{}", T0 + 20_001.0);
    assert!(e.take_reconnect(), "the server's reset");
    assert!(!e.take_reconnect(), "once");
}

#[test]
fn time_travel_fetches_a_step_at_a_time_and_shows_the_moment_beside_the_live_network() {
    use crate::replay::Step;
    let mut e = engine();
    let mut page = Page::new();
    e.message("snapshot", "f1:3", &snapshot(), T0);
    page.take(&mut e, T0);
    assert_eq!(e.travel_next(), None, "live: nothing to fetch");

    // The page goes back 40 s: before edge-eu-1 dropped.
    let at = at(T0 - 40_000.0).0;
    e.command(Command::Travel { at: Some(at), exact: true }, T0);
    e.command(Command::Select { node: Some(NodeId::Router("Kx7".into())), identities: false }, T0);
    assert_eq!(e.travel_next(), Some(Step::Seek(at)));
    assert!(page.take(&mut e, T0));
    assert_eq!((page.view.moment, page.view.details.as_ref()), (None, None), "nothing held yet");
    let mut past = Store::new();
    past.apply(&Event::conn(Timestamp(at - 20_000_000_000), ConnKind::RouterToCtrl, "Kx7", "c1", true).via("c1"));
    e.travel_state(at, past.state());
    assert_eq!(e.travel_next(), None, "the exact moment is held");
    assert!(page.take(&mut e, T0 + 1.0));
    assert_eq!(page.view.moment, Some(at));
    assert_eq!(page.view.past.routers.len(), 1);
    assert_eq!(page.view.past_summary.map(|s| s.routers.online), Some(1), "online then");
    assert_eq!(page.view.summary.routers.online, 1, "the live network is still there: Zz9 only");
    assert_eq!(page.view.past_alerts.as_ref().map(Vec::len), Some(0), "nothing held then");
    assert_eq!(page.view.details.as_ref().and_then(|d| d.up), Some(true), "the drawer is the moment's");

    // Playing on: the next step reads the events since.
    let later = at + 5_000_000_000;
    e.command(Command::Travel { at: Some(later), exact: false }, T0 + 2.0);
    assert_eq!(e.travel_next(), Some(Step::Read { from: at + 1, to: later + 1 }));
    let drop = Event::conn(Timestamp(at + 1_000_000_000), ConnKind::RouterToCtrl, "Kx7", "c1", false).via("c1");
    e.travel_events(Some(vec![drop]), later + 1);
    assert_eq!(e.travel_next(), None);
    assert!(page.take(&mut e, T0 + 3.0));
    assert_eq!(page.view.moment, Some(later));
    assert_eq!(page.view.past_summary.map(|s| s.routers.online), Some(0));
    assert_eq!(page.view.past_alerts.as_ref().map(|a| a[0].key.rule), Some(Rule::RouterDown));
    // Paused there, a moved replay asks for the exact state again.
    e.command(Command::Travel { at: Some(later), exact: true }, T0 + 4.0);
    assert_eq!(e.travel_next(), Some(Step::Seek(later)));
    e.travel_failed("history: the feed keeps no history".into());
    assert!(page.take(&mut e, T0 + 4.0));
    assert_eq!(page.view.travel_error.as_deref(), Some("history: the feed keeps no history"));

    // Live: the past goes, and a late answer shows nothing.
    e.command(Command::Travel { at: None, exact: true }, T0 + 5.0);
    e.travel_state(later, past.state());
    assert!(page.take(&mut e, T0 + 5.0));
    assert_eq!((page.view.moment, page.view.travel_error.as_deref()), (None, None));
    assert!(page.view.past.routers.is_empty());
    assert_eq!(page.view.details.as_ref().and_then(|d| d.up), Some(false), "the live drawer again");
}

#[test]
fn a_worker_that_listens_before_the_page_speaks_judges_no_alert_until_armed() {
    let mut e = Engine::listening();
    e.connection(FeedStatus::Live, Beats::Sent, T0);
    let mut page = Page::new();
    e.message("snapshot", "f1:3", &snapshot(), T0);
    assert!(page.take(&mut e, T0));
    assert_eq!(page.view.summary.routers.total, 2, "the stream is applied at once");
    assert!(page.view.board.is_empty() && page.fired.is_empty(), "no alert before the page's settings");
    // The feed's silence over edge-eu-1 came first: its alert fires silenced.
    let silence = Silence { rule: None, subject: Some("Kx7".into()), until: at(T0 + 60_000.0) };
    let shared = SharedSilence { id: 1, silence, by: "ana".into(), comment: String::new(), at: at(T0) };
    let ops = Ops { silences: vec![shared], ..Ops::default() };
    e.message(crate::wire::OPS, "", &serde_json::to_string(&ops).unwrap(), T0);
    e.arm(AlertConfig::default());
    assert!(page.take(&mut e, T0 + 1.0));
    assert_eq!(page.view.board.len(), 1);
    assert_eq!(page.view.counts.silenced, 1);
    assert!(page.fired.is_empty(), "silenced: no toast, no sound");
    assert_eq!(page.quiet.len(), 1, "but the page hears of it");
}
