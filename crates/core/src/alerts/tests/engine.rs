use super::*;
use crate::alerts::shared::{Answers, Maintenance, SharedAck, SharedSilence};

#[test]
fn a_hold_time_keeps_an_alert_pending_on_the_test_clock() {
    let mut b = network(0);
    b.engine.set_config(AlertConfig { hold_ms: 30_000, ..Default::default() });
    b.conn(100, ConnKind::RouterToCtrl, "edge-us-1", "c1", false);
    b.conn(100, ConnKind::RouterToCtrl, "edge-us-1", "c2", false);
    assert!(b.eval(110).is_empty());
    assert_eq!(b.engine.counts(at(110)), AlertCounts { pending: 1, ..Default::default() });
    assert!(b.eval(129).is_empty());
    assert_eq!(fired(&b.eval(130)), ["router-down:edge-us-1"], "30 s after it went down");
}

fn shared_silence(id: i64, rule: Option<Rule>, subject: Option<&str>, until: i64) -> SharedSilence {
    let silence = Silence { rule, subject: subject.map(Into::into), until: at(until) };
    SharedSilence { id, silence, by: "ana".into(), comment: String::new(), at: at(0) }
}

fn shared_ack(id: i64, subject: &str, by: &str, at_s: i64) -> SharedAck {
    let key = AlertKey { rule: Rule::RouterDown, subject: subject.into() };
    SharedAck { id, key, by: by.into(), comment: "on it".into(), at: at(at_s) }
}

#[test]
fn shared_silences_mute_and_are_counted_until_they_end() {
    let mut b = network(0);
    let key = AlertKey { rule: Rule::RouterDown, subject: "edge-us-1".into() };
    let silences = vec![shared_silence(1, Some(Rule::RouterDown), None, 200)];
    b.engine.set_answers(Answers { silences, ..Answers::default() });
    b.conn(100, ConnKind::RouterToCtrl, "edge-us-1", "c1", false);
    b.conn(100, ConnKind::RouterToCtrl, "edge-us-1", "c2", false);
    assert_eq!(b.eval(101), [Notice::Fired { key: key.clone(), silenced: true }]);
    assert_eq!(b.engine.counts(at(101)), AlertCounts { silenced: 1, ..Default::default() });
    assert_eq!(b.engine.counts(at(200)), AlertCounts { firing: 1, ..Default::default() }, "the silence ended");
    let other = AlertKey { rule: Rule::LinkDown, subject: "edge-us-1".into() };
    assert!(!b.engine.is_silenced(&other, at(101)), "a silence of one rule covers no other");
}

#[test]
fn a_shared_ack_covers_the_episode_it_was_made_in_and_no_later_one() {
    let mut b = network(0);
    b.conn(100, ConnKind::RouterToCtrl, "edge-us-1", "c1", false);
    b.conn(100, ConnKind::RouterToCtrl, "edge-us-1", "c2", false);
    b.eval(101);
    // Made before the episode began: an ack of an earlier one.
    b.engine.set_answers(Answers { acks: vec![shared_ack(1, "edge-us-1", "old", 50)], ..Answers::default() });
    b.eval(102);
    assert_eq!(b.alert(Rule::RouterDown, "edge-us-1").ack, None, "an ack of an earlier episode");
    let acks = vec![shared_ack(1, "edge-us-1", "old", 50), shared_ack(2, "edge-us-1", "noc-desk-2", 210)];
    b.engine.set_answers(Answers { acks: acks.clone(), ..Answers::default() });
    let expected = Ack { by: "noc-desk-2".into(), at: at(210), comment: "on it".into() };
    assert_eq!(b.alert(Rule::RouterDown, "edge-us-1").ack, Some(expected), "at once, before an evaluation");
    b.conn(300, ConnKind::RouterToCtrl, "edge-us-1", "c1", true);
    b.eval(301);
    b.conn(400, ConnKind::RouterToCtrl, "edge-us-1", "c1", false);
    assert_eq!(fired(&b.eval(401)), ["router-down:edge-us-1"]);
    let a = b.alert(Rule::RouterDown, "edge-us-1");
    assert_eq!((a.count, a.ack.is_none()), (2, true), "fired twice; a new episode needs a new ack");
}

#[test]
fn an_alert_in_maintenance_calls_nobody_and_is_counted_apart() {
    let mut b = network(0);
    let mut maintenance = Maintenance::default();
    maintenance.nodes.insert(NodeId::Router("edge-us-1".into()), "firmware".into());
    b.engine.set_maintenance(maintenance);
    b.conn(100, ConnKind::RouterToCtrl, "edge-us-1", "c1", false);
    b.conn(100, ConnKind::RouterToCtrl, "edge-us-1", "c2", false);
    let key = AlertKey { rule: Rule::RouterDown, subject: "edge-us-1".into() };
    assert_eq!(b.eval(101), [Notice::Fired { key, silenced: true }], "it fires, quietly");
    assert_eq!(b.alert(Rule::RouterDown, "edge-us-1").maintenance.as_deref(), Some("firmware"));
    assert_eq!(b.engine.counts(at(101)), AlertCounts { maintenance: 1, ..Default::default() });
    // The window ended: at once, not at the next evaluation.
    b.engine.set_maintenance(Maintenance::default());
    assert_eq!(b.alert(Rule::RouterDown, "edge-us-1").maintenance, None);
    assert_eq!(b.engine.counts(at(200)), AlertCounts { firing: 1, ..Default::default() });
}

#[test]
fn the_board_orders_filters_and_stays_bounded() {
    let mut b = network(0);
    b.engine.set_config(AlertConfig { max_alerts: 3, ..Default::default() });
    for (i, r) in ["r1", "r2", "r3", "r4"].into_iter().enumerate() {
        let t = 10 * (i as i64 + 1);
        b.conn(t, ConnKind::RouterToCtrl, r, "c1", true);
        b.conn(t + 1, ConnKind::RouterToCtrl, r, "c1", false);
        b.eval(t + 2);
        b.conn(t + 3, ConnKind::RouterToCtrl, r, "c1", true);
        b.eval(t + 4);
    }
    assert_eq!(b.engine.len(), 3, "the oldest resolved alert went");
    assert!(b.engine.get(&AlertKey { rule: Rule::RouterDown, subject: "r1".into() }).is_none());
    b.conn(100, ConnKind::RouterToCtrl, "r2", "c1", false);
    link(&mut b, 100, "L9", LinkEventType::New);
    latency(&mut b, 100, "L9", 900, 0);
    b.eval(101);
    let board: Vec<(AlertState, Rule, &str)> =
        b.engine.board("").into_iter().map(|a| (a.state, a.key.rule, a.key.subject.as_str())).collect();
    assert_eq!(
        board[..3],
        [
            (AlertState::Firing, Rule::RouterDown, "r2"),
            (AlertState::Firing, Rule::LinkLatency, "L9"),
            (AlertState::Resolved, Rule::RouterDown, "r4")
        ],
        "firing first, worst first; then the newest resolved"
    );
    assert_eq!(b.engine.board("LATENCY").len(), 1);
    assert_eq!(b.engine.board("critical").len(), 2, "by severity word (r3, resolved, made room for L9)");
    assert_eq!(b.engine.len(), 3);
    assert!(b.engine.board("nothing like it").is_empty());
    assert_eq!(b.engine.board("firing").len(), 2, "by state word");
}

#[test]
fn config_reads_with_defaults_and_refuses_typos() {
    let c = AppConfig::from_json(r#"{"alerts":{"mass-count":10,"hold-ms":2000}}"#).unwrap();
    assert_eq!((c.alerts.mass_count, c.alerts.hold_ms, c.alerts.flap_threshold), (10, 2000, 4));
    assert_eq!(AppConfig::from_json("{}").unwrap(), AppConfig::default());
    let err = AppConfig::from_json(r#"{"alerts":{"mass-cout":10}}"#).unwrap_err();
    assert!(err.contains("mass-cout"), "{err}");
}

#[test]
fn the_shipped_config_json_is_the_defaults() {
    let shipped = AppConfig::from_json(include_str!("../../../../../config.json")).unwrap();
    assert_eq!(shipped, AppConfig::default(), "config.json beside index.html spells out the defaults");
}
