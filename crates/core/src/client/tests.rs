use super::*;
use crate::wire::{Heartbeat, Snapshot, SourceCounters};
use crate::{Change, ConnKind, EntityType};

fn snapshot(seq: u64, routers: &[&str]) -> String {
    let mut store = Store::new();
    for r in routers {
        store.apply(&Event::conn(Timestamp(1), ConnKind::RouterToCtrl, *r, "ctrl1", true));
    }
    serde_json::to_string(&Snapshot { run: "f1".into(), seq, at: Timestamp(2), state: store.state() }).unwrap()
}

fn batch(events: &[(i64, &str, bool)]) -> String {
    let evs: Vec<Event> = events
        .iter()
        .map(|(at, src, up)| Event::conn(Timestamp(*at), ConnKind::RouterToCtrl, *src, "ctrl1", *up))
        .collect();
    serde_json::to_string(&evs).unwrap()
}

#[test]
fn snapshot_then_batches() {
    let mut c = FeedClient::new();
    let mut recent = RecentChanges::subscribe(c.changes());
    c.on_message("snapshot", "7", &snapshot(7, &["r1", "r2"]));
    assert_eq!(c.last_seq(), Some(7));
    assert_eq!(c.store().summary().routers.online, 2);
    let r = c.on_message("batch", "8", &batch(&[(10, "r1", false), (10, "r3", true)]));
    assert!(r.changed);
    assert_eq!(c.last_seq(), Some(8));
    assert!(!c.store().is_online(EntityType::Router, "r1"));
    assert!(c.store().is_online(EntityType::Router, "r3"));
    assert_eq!(c.stats().changes, 2);
    assert!(recent.refresh());
    let newest = recent.iter().next().unwrap();
    assert!(matches!(newest, Change::Conn { key, .. } if key.src == "r3"), "newest first");
}

#[test]
fn duplicate_batches_are_skipped_and_gaps_counted() {
    let mut c = FeedClient::new();
    c.on_message("snapshot", "5", &snapshot(5, &["r1"]));
    assert!(!c.on_message("batch", "5", &batch(&[(10, "r1", false)])).changed);
    assert_eq!(c.stats().duplicate_batches, 1);
    assert!(c.store().is_online(EntityType::Router, "r1"), "an old batch changes nothing");
    c.on_message("batch", "9", &batch(&[(11, "r2", true)]));
    assert_eq!(c.stats().gaps, 1);
}

#[test]
fn a_new_snapshot_replaces_the_state() {
    let mut c = FeedClient::new();
    c.on_message("snapshot", "3", &snapshot(3, &["r1", "r2"]));
    c.on_message("snapshot", "1", &snapshot(1, &["r9"]));
    assert_eq!(c.store().summary().routers.total, 1, "a restarted feed starts over");
    assert_eq!(c.last_seq(), Some(1));
    assert_eq!(c.stats().snapshots, 2);
}

#[test]
fn bad_input_is_counted_with_its_reason() {
    let mut c = FeedClient::new();
    c.on_message("snapshot", "1", "{not json");
    assert_eq!(c.stats().rejected, 1);
    assert!(c.stats().last_error.as_deref().unwrap().contains("invalid snapshot"));
    c.on_message("snapshot", "1", &snapshot(1, &["r1"]));
    c.on_message("batch", "2", "[{\"at\":1}]");
    c.on_message("batch", "x", "[]");
    c.on_message("message", "", "<script>alert(1)</script>");
    assert_eq!(c.stats().rejected, 4);
    // The stream goes on after all of that.
    c.on_message("batch", "3", &batch(&[(5, "r2", true)]));
    assert!(c.store().is_online(EntityType::Router, "r2"));
}

#[test]
fn third_party_messages_and_control_events() {
    let mut c = FeedClient::new();
    let raw = r#"[{"EventType":"edge-to-router","Identity":"alice","Timestamp":"2025-06-12T09:00:00Z","IsConnected":true},
                  {"namespace":"metrics","timestamp":"2025-06-12T09:00:00Z","metric":"ctrl.rx.bytesrate"}]"#;
    assert!(c.on_message("message", "", raw).changed);
    assert_eq!((c.stats().events, c.stats().skipped), (1, 1));
    assert!(c.store().is_online(EntityType::Identity, "alice"));
    assert_eq!(c.stats().server_time, None, "no snapshot or heartbeat yet");
    c.on_message("heartbeat", "", r#"{"now":123,"seq":4}"#);
    assert_eq!(c.stats().last_heartbeat, Some(Timestamp(123)));
    assert_eq!(c.stats().server_time, Some((Timestamp(123), 1)));
    c.on_message("snapshot", "1", &snapshot(1, &["r1"]));
    assert_eq!(c.stats().server_time, Some((Timestamp(2), 2)), "the snapshot's time, a second report");
    c.on_message("heartbeat", "", r#"{"now":"bad"}"#);
    assert_eq!(c.stats().server_time, Some((Timestamp(2), 2)), "a bad heartbeat says nothing");
    assert!(c.on_message("reset", "", r#"{"reason":"slow"}"#).reconnect);
}

#[test]
fn recent_changes_are_capped() {
    let mut c = FeedClient::new();
    let mut recent = RecentChanges::subscribe(c.changes());
    for i in 0..(RECENT_CAP as i64 + 20) {
        c.on_message(
            "message",
            "",
            &format!(
                r#"{{"EventType":"router-to-ctrl","Identity":"r{i}","Timestamp":{},"IsConnected":true}}"#,
                1_700_000_000 + i
            ),
        );
    }
    recent.refresh();
    assert_eq!(recent.iter().count(), RECENT_CAP);
    assert!(!recent.refresh(), "nothing new");
}

#[test]
fn rest_activity_stays_out_of_the_recent_list() {
    let mut c = FeedClient::new();
    let mut recent = RecentChanges::subscribe(c.changes());
    c.on_message(
        "message",
        "",
        r#"{"EventType":"edge-to-ctrl","Identity":"admin","Timestamp":1700000000,"IsConnected":true}"#,
    );
    assert_eq!(c.stats().changes, 1);
    recent.refresh();
    assert_eq!(recent.iter().count(), 0);
    assert_eq!(c.store().summary().identities.total, 1, "but the identity is seen");
}

#[test]
fn resume_continues_only_where_the_client_is() {
    let mut c = FeedClient::new();
    assert_eq!(c.resume_point(), None, "nothing to resume before a snapshot");
    c.on_message("snapshot", "f1:3", &snapshot(3, &["r1"]));
    c.on_message("batch", "f1:4", &batch(&[(10, "r2", true)]));
    assert_eq!(c.resume_point().map(|p| p.to_string()).as_deref(), Some("f1:4"));

    let ok = c.on_message("resume", "", r#"{"feed":"f1","seq":4}"#);
    assert!(!ok.reconnect);
    assert_eq!(c.stats().resumes, 1);
    c.on_message("batch", "f1:5", &batch(&[(11, "r3", true)]));
    assert_eq!((c.last_seq(), c.stats().gaps), (Some(5), 0));
    assert_eq!(c.store().summary().routers.online, 3, "the resumed stream applies on top");

    let wrong = c.on_message("resume", "", r#"{"feed":"f2","seq":5}"#);
    assert!(wrong.reconnect, "another feed run: start over");
    assert_eq!(c.resume_point(), None, "the next connection asks for a snapshot");
    assert_eq!(c.stats().rejected, 1);
}

fn beat(now: i64, seq: u64, sources: &[(&str, u64, Option<&str>)]) -> String {
    let sources = sources
        .iter()
        .map(|(name, rejected, reason)| {
            let s = SourceCounters {
                lines: 10,
                events: 10 - rejected,
                rejected: *rejected,
                last_error: reason.map(str::to_owned),
                ..Default::default()
            };
            (name.to_string(), s)
        })
        .collect();
    serde_json::to_string(&Heartbeat { now: Timestamp(now), seq, sources }).unwrap()
}

#[test]
fn heartbeats_bring_the_feed_s_source_counters() {
    let mut c = FeedClient::new();
    assert_eq!((c.stats().feed_rejected(), c.stats().feed_last_error.as_deref()), (0, None));
    c.on_message("heartbeat", "", &beat(1, 0, &[("stdin", 2, Some("line 9: expected value"))]));
    let stdin = &c.stats().feed_sources["stdin"];
    assert_eq!((stdin.lines, stdin.events, stdin.rejected), (10, 8, 2));
    assert_eq!(c.stats().feed_rejected(), 2);
    assert_eq!(c.stats().feed_last_error.as_deref(), Some("line 9: expected value"));
    assert_eq!(c.stats().rejected, 0, "the feed's rejects are not the client's");

    // Each beat replaces the last; the reason follows the source that moved.
    c.on_message("heartbeat", "", &beat(2, 0, &[("file", 1, Some("line 1: file")), ("stdin", 2, Some("old"))]));
    assert_eq!(c.stats().feed_rejected(), 3);
    assert_eq!(c.stats().feed_last_error.as_deref(), Some("line 1: file"), "stdin did not move");

    // An older feed's beat still decodes; it reports no sources.
    c.on_message("heartbeat", "", r#"{"now":3,"seq":4}"#);
    assert_eq!(c.stats().last_heartbeat, Some(Timestamp(3)));
    assert_eq!(c.stats().rejected, 0);
    assert!(c.stats().feed_sources.is_empty());
    assert_eq!((c.stats().feed_rejected(), c.stats().feed_last_error.as_deref()), (0, None));
}

#[test]
fn the_feed_s_reasons_and_names_are_capped() {
    let mut c = FeedClient::new();
    let hostile = format!("line 1: <img src=x onerror=alert(1)>\u{7}\n{}", "é".repeat(10_000));
    let many: Vec<String> = (0..100).map(|i| format!("s{i:03}")).collect();
    let mut sources: Vec<(&str, u64, Option<&str>)> = many.iter().map(|n| (n.as_str(), 0, None)).collect();
    let long_name = "n".repeat(1_000);
    sources.push((&long_name, 1, Some(&hostile)));
    c.on_message("heartbeat", "", &beat(1, 0, &sources));
    assert_eq!(c.stats().feed_sources.len(), FEED_SOURCES_CAP, "a bounded number of sources");
    assert!(c.stats().feed_sources.keys().all(|n| n.chars().count() <= FEED_SOURCE_NAME_CAP));

    let mut c = FeedClient::new();
    c.on_message("heartbeat", "", &beat(1, 0, &[(&long_name, 1, Some(&hostile))]));
    let name = c.stats().feed_sources.keys().next().unwrap();
    assert_eq!(name.chars().count(), FEED_SOURCE_NAME_CAP);
    let reason = c.stats().feed_last_error.clone().unwrap();
    assert_eq!(reason.chars().count(), FEED_REASON_CAP);
    assert!(reason.ends_with('…'), "{reason}");
    assert!(
        reason.starts_with("line 1: <img src=x onerror=alert(1)>\u{fffd}\u{fffd}é"),
        "text kept, controls shown: {reason}"
    );
    assert_eq!(c.stats().feed_sources[name].last_error.as_deref(), Some(reason.as_str()));
}
