//! The shared alert state's rules: which ack covers which episode, what a
//! moment of time travel sees, what is in maintenance, and what a request
//! must be before the feed keeps it.

use super::*;
use crate::alerts::{Alert, Rule, Silence};
use crate::report::windows::Scope;
use crate::{ConnKind, Event, Store};

const S: i64 = 1_000_000_000;

fn at(s: i64) -> Timestamp {
    Timestamp(s * S)
}

fn key(rule: Rule, subject: &str) -> AlertKey {
    AlertKey { rule, subject: subject.into() }
}

fn ack(id: i64, subject: &str, at_s: i64) -> SharedAck {
    SharedAck { id, key: key(Rule::RouterDown, subject), by: format!("op{id}"), comment: String::new(), at: at(at_s) }
}

fn store() -> Store {
    let mut s = Store::new();
    for (r, c) in [("Kx7pWq2mRa", "c1"), ("Kx7pWq2mRa", "c2"), ("Zq9", "c1")] {
        s.apply(&Event::conn(at(1), ConnKind::RouterToCtrl, r, c, true).via("c1"));
    }
    s.apply(&Event::conn(at(1), ConnKind::CtrlToCtrl, "c1", "c2", true).via("c1"));
    s
}

#[test]
fn the_newest_ack_made_in_the_episode_covers_it() {
    let ops =
        Ops { acks: vec![ack(1, "r1", 10), ack(2, "r1", 30), ack(3, "r1", 20), ack(4, "r2", 40)], ..Ops::default() };
    assert_eq!(ops.ack_for(&key(Rule::RouterDown, "r1"), at(5)).map(|a| a.id), Some(2), "the newest");
    assert_eq!(ops.ack_for(&key(Rule::RouterDown, "r1"), at(30)).map(|a| a.id), Some(2), "made as it began");
    assert_eq!(ops.ack_for(&key(Rule::RouterDown, "r1"), at(31)), None, "an episode after every ack");
    assert_eq!(ops.ack_for(&key(Rule::LinkDown, "r1"), at(0)), None, "another rule's alert");
}

#[test]
fn a_past_moment_sees_only_what_was_shared_by_then() {
    let silence = |id, made| SharedSilence {
        id,
        silence: Silence { rule: Some(Rule::RouterDown), subject: None, until: at(1_000) },
        by: "ana".into(),
        comment: String::new(),
        at: at(made),
    };
    let ops = Ops {
        acks: vec![ack(1, "r1", 10), ack(2, "r1", 30)],
        silences: vec![silence(3, 5), silence(4, 50)],
        ..Ops::default()
    };
    let then = ops.answers().as_of(at(20));
    assert_eq!(then.acks.iter().map(|a| a.id).collect::<Vec<_>>(), [1]);
    assert_eq!(then.silences.iter().map(|s| s.id).collect::<Vec<_>>(), [3]);
    assert_eq!(then.ack_for(&key(Rule::RouterDown, "r1"), at(0)).map(|a| a.by.as_str()), Some("op1"));
    assert!(ops.silence_for(&key(Rule::RouterDown, "x"), at(999)).is_some());
    assert!(ops.silence_for(&key(Rule::RouterDown, "x"), at(1_000)).is_none(), "it ended");
}

#[test]
fn maintenance_holds_for_what_a_window_covers_while_a_span_holds() {
    let s = store();
    let rows = s.topology(at(2)).rows_where(|_| true, crate::store::SortBy::Name, true);
    let held = |name: &str, scope, from, to| Held {
        id: None,
        name: name.into(),
        scope,
        spans: vec![crate::report::Span::new(at(from).0, at(to).0)],
    };
    let ops = Ops {
        windows: vec![
            held("kx", Scope::Nodes(vec!["Kx7pWq2mRa".into()]), 10, 20),
            held("links", Scope::Links(vec!["L1".into()]), 10, 20),
            held("later", Scope::Nodes(vec!["Zq9".into()]), 30, 40),
            held("nobody", Scope::Nodes(vec!["no-such-node".into()]), 0, 100),
        ],
        ..Ops::default()
    };
    let m = ops.in_maintenance(&rows, at(15));
    assert_eq!(m.nodes.keys().cloned().collect::<Vec<_>>(), [NodeId::Router("Kx7pWq2mRa".into())]);
    assert_eq!(m.links.keys().cloned().collect::<Vec<_>>(), ["L1"]);
    let alert =
        |rule: Rule, subject: &str, node: Option<NodeId>| Alert { node, ..Alert::firing(rule, subject, at(12)) };
    assert_eq!(m.of(&alert(Rule::RouterDown, "Kx7pWq2mRa", Some(NodeId::Router("Kx7pWq2mRa".into())))), Some("kx"));
    assert_eq!(m.of(&alert(Rule::LinkDown, "L1", Some(NodeId::Router("Zq9".into())))), Some("links"), "by its link");
    assert_eq!(m.of(&alert(Rule::LinkDown, "L2", Some(NodeId::Router("Zq9".into())))), None);
    assert_eq!(m.of(&alert(Rule::QuorumLost, "cluster", None)), None);
    assert!(ops.in_maintenance(&rows, at(20)).is_empty(), "a span is half-open");
    let kx = &ops.windows[0];
    assert_eq!(kx.on_scale(at(0).0, at(40).0), [(0.25, 0.25)], "where a time bar shows it");
    assert_eq!(kx.on_scale(at(15).0, at(25).0), [(0.0, 0.5)], "cut to the bar");
    assert!(kx.on_scale(at(30).0, at(40).0).is_empty());
    assert_eq!(kx.next_span(at(15).0).map(|s| s.from), Some(at(10).0), "holding now");
    assert_eq!(kx.next_span(at(20).0), None);
    let two = Ops { windows: vec![ops.windows[0].clone(), ops.windows[2].clone()], ..Ops::default() };
    let near = |t: i64, within: i64| two.near(at(t).0, within * S).map(|(s, n)| (s.from / S, n));
    assert_eq!(near(15, 5), Some((10, "kx")), "the one that holds (before a later one)");
    assert_eq!(near(25, 10), Some((30, "later")), "the next within reach");
    assert_eq!(near(25, 5), None, "none within reach");
    assert_eq!(ops.in_maintenance(&rows, at(35)).nodes.len(), 1);
    // A filter scope is resolved against the network as it is.
    let by_filter = Ops { windows: vec![held("all", Scope::Filter("name=*".into()), 0, 100)], ..Ops::default() };
    assert_eq!(by_filter.in_maintenance(&rows, at(1)).nodes.len(), rows.len());
}

#[test]
fn a_request_is_kept_only_when_it_checks_out() {
    let s = store();
    let sources = vec!["ctrl2".to_string()];
    let known = |k: &AlertKey| subject_known(k, &s, at(2), &sources);
    let good = AckRequest {
        rule: Rule::RouterDown,
        subject: "Kx7pWq2mRa".into(),
        by: "ana".into(),
        comment: "on it\nline two".into(),
    };
    assert_eq!(good.check(known(&good.key())), Ok(()));
    let nobody = AckRequest { subject: "no-such-router".into(), ..good.clone() };
    assert!(nobody.check(known(&nobody.key())).unwrap_err().contains("no-such-router"));
    let unnamed = AckRequest { by: "  ".into(), ..good.clone() };
    assert_eq!(unnamed.check(true), Err("by: must not be empty".into()));
    let hostile = AckRequest { by: "ana\u{1b}[31m".into(), ..good.clone() };
    assert!(hostile.check(true).unwrap_err().contains("control characters"));
    let huge = AckRequest { comment: "x".repeat(COMMENT_CAP + 1), ..good.clone() };
    assert!(huge.check(true).unwrap_err().starts_with("comment: at most"));
    for (rule, subject, ok) in [
        (Rule::PeerDown, "c1 ↔ c2", true),
        (Rule::PeerDown, "c1 ↔ c9", false),
        (Rule::QuorumLost, "cluster", true),
        (Rule::SourceDown, "ctrl2", true),
        (Rule::SourceDown, "ctrl9", false),
        (Rule::MassDisconnect, crate::alerts::NETWORK, true),
        (Rule::LinkDown, "L1", false),
        (Rule::FeedStale, "feed", true),
        (Rule::RouterDown, "c1", false),
    ] {
        assert_eq!(known(&key(rule, subject)), ok, "{rule:?} {subject}");
    }

    let silence = SilenceRequest {
        rule: None,
        subject: Some("Zq9".into()),
        minutes: 60,
        by: "ana".into(),
        comment: String::new(),
    };
    assert_eq!(silence.check(known), Ok(()));
    assert_eq!(silence.silence(at(10)).until, at(10 + 3_600));
    let bad = |r: SilenceRequest| r.check(known).unwrap_err();
    assert!(bad(SilenceRequest { subject: None, ..silence.clone() }).contains("a rule, a subject or both"));
    assert!(bad(SilenceRequest { subject: Some("ghost".into()), ..silence.clone() }).contains("ghost"));
    assert!(bad(SilenceRequest { minutes: 0, ..silence.clone() }).starts_with("minutes"));
    assert!(bad(SilenceRequest { minutes: MAX_SILENCE_MINUTES + 1, ..silence.clone() }).starts_with("minutes"));
    let by_rule = SilenceRequest { rule: Some(Rule::LinkLatency), subject: None, ..silence };
    assert_eq!(by_rule.check(known), Ok(()));
}

#[test]
fn ops_round_trip_and_a_hostile_feed_cannot_make_the_app_hold_more_than_the_caps() {
    let ops = Ops { acks: (0..(MAX_ACKS as i64 + 5)).map(|i| ack(i, "r", i)).collect(), ..Ops::default() };
    let text = serde_json::to_string(&ops).unwrap();
    let back: Ops = serde_json::from_str(&text).unwrap();
    assert_eq!(back, ops);
    assert_eq!(back.capped().acks.len(), MAX_ACKS);
}
