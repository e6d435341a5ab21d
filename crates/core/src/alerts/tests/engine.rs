use super::*;

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

#[test]
fn silences_mute_counted_and_expire_acks_clear_when_it_fires_again() {
    let mut b = network(0);
    let key = AlertKey { rule: Rule::RouterDown, subject: "edge-us-1".into() };
    b.engine.silence(Silence { rule: Some(Rule::RouterDown), subject: None, until: at(200) });
    b.engine.silence(Silence { rule: None, subject: None, until: at(900) });
    assert_eq!(b.engine.silences().len(), 1, "a silence that matches nothing is refused");
    b.engine.silence(Silence { rule: Some(Rule::RouterDown), subject: None, until: at(150) });
    assert_eq!(
        b.engine.silences(),
        [Silence { rule: Some(Rule::RouterDown), subject: None, until: at(200) }],
        "the same silence again extends, never piles up"
    );

    b.conn(100, ConnKind::RouterToCtrl, "edge-us-1", "c1", false);
    b.conn(100, ConnKind::RouterToCtrl, "edge-us-1", "c2", false);
    let n = b.eval(101);
    assert_eq!(n, [Notice::Fired { key: key.clone(), silenced: true }]);
    assert_eq!(b.engine.counts(at(101)), AlertCounts { silenced: 1, ..Default::default() });
    assert_eq!(b.engine.counts(at(200)), AlertCounts { firing: 1, ..Default::default() }, "the silence expired");
    b.eval(200);
    assert!(b.engine.silences().is_empty(), "and is gone");

    assert!(b.engine.ack(&key, "noc-desk-2", at(210)));
    assert_eq!(b.alert(Rule::RouterDown, "edge-us-1").ack, Some(Ack { by: "noc-desk-2".into(), at: at(210) }));
    b.conn(300, ConnKind::RouterToCtrl, "edge-us-1", "c1", true);
    b.eval(301);
    assert!(!b.engine.ack(&key, "x", at(302)), "nothing to ack once resolved");
    b.conn(400, ConnKind::RouterToCtrl, "edge-us-1", "c1", false);
    assert_eq!(fired(&b.eval(401)), ["router-down:edge-us-1"]);
    let a = b.alert(Rule::RouterDown, "edge-us-1");
    assert_eq!(
        (a.count, a.ack.is_none(), a.first_seen),
        (2, true, at(101)),
        "fired twice; a new episode needs a new ack"
    );
}

#[test]
fn silences_are_capped_the_first_to_end_going_first() {
    let mut e = AlertEngine::new(AlertConfig::default());
    for i in 0..(MAX_SILENCES + 10) {
        e.silence(Silence { rule: None, subject: Some(format!("x{i}")), until: at(1_000 + i as i64) });
    }
    assert_eq!(e.silences().len(), MAX_SILENCES);
    assert_eq!(e.silences()[0].subject.as_deref(), Some("x10"), "the ten that ended first went");
    e.unsilence(&AlertKey { rule: Rule::LinkDown, subject: "x99".into() }, at(0));
    assert_eq!(e.silences().len(), MAX_SILENCES - 1, "a silence by subject covers every rule");
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
