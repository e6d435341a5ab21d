use super::*;
use crate::wire::SourceCounters;
use std::collections::BTreeMap;

/// The feed as the app sees it at `beat`, with these sources down since
/// `(name, since, reason)`.
fn with_down(beat: i64, down: &[(&str, i64, &str)]) -> Option<FeedHealth> {
    let sources_down = (down.iter())
        .map(|(name, since, reason)| SourceDown {
            name: name.to_string(),
            since: at(*since),
            reason: Some(reason.to_string()),
        })
        .collect();
    Some(FeedHealth { connected: true, since: at(0), last_heard: Some(at(beat)), sources_down })
}

#[test]
fn a_source_down_alerts_after_its_hold_names_itself_and_resolves_when_back() {
    let mut b = Board::new(AlertConfig { source_down_hold_ms: 5_000, ..Default::default() });
    assert!(b.eval_feed(9, with_down(9, &[])).is_empty(), "every source up: nothing");
    // ctrl2's command exited at 10 s; the next heartbeat says so.
    assert!(b.eval_feed(12, with_down(12, &[("ctrl2", 10, "exited with status 0")])).is_empty(), "pending");
    assert_eq!(b.engine.counts(at(12)).pending, 1);
    let n = b.eval_feed(15, with_down(15, &[("ctrl2", 10, "exited with status 0")]));
    assert_eq!(fired(&n), ["source-down:ctrl2"], "5 s after it went down");
    let a = b.alert(Rule::SourceDown, "ctrl2");
    assert_eq!((a.severity, a.since, a.node.clone()), (Severity::Major, at(10), None));
    // Still down at 50 s, restarted in vain meanwhile (a newer reason).
    b.eval_feed(50, with_down(50, &[("ctrl2", 10, "spawn failed: No such file or directory")]));
    assert_eq!(
        b.alert(Rule::SourceDown, "ctrl2").message,
        "ctrl2 stream down for 40 s (spawn failed: No such file or directory)"
    );
    assert_eq!(b.firing(), [(Rule::SourceDown, "ctrl2".to_string())], "one alert, not one per attempt");
    // A second source goes down: its own alert, beside the first.
    let two = with_down(60, &[("ctrl2", 10, "x"), ("ctrl3", 60, "killed by signal 9")]);
    assert!(fired(&b.eval_feed(60, two.clone())).is_empty(), "ctrl3 holds for its own 5 s");
    assert_eq!(fired(&b.eval_feed(65, two)), ["source-down:ctrl3"]);
    // Both back: both resolve.
    let n = b.eval_feed(70, with_down(70, &[]));
    assert_eq!(resolved(&n), ["source-down:ctrl2", "source-down:ctrl3"]);
    // A blip shorter than the hold never fires; a new outage is a new episode.
    assert!(b.eval_feed(80, with_down(80, &[("ctrl2", 78, "x")])).is_empty());
    assert!(b.eval_feed(81, with_down(81, &[])).is_empty());
    assert_eq!(fired(&b.eval_feed(100, with_down(100, &[("ctrl2", 90, "x")]))), ["source-down:ctrl2"]);
    assert_eq!(b.alert(Rule::SourceDown, "ctrl2").count, 2);
}

#[test]
fn the_heartbeat_s_counters_say_which_sources_are_down() {
    let mut sources = BTreeMap::new();
    sources.insert("ctrl1".to_string(), SourceCounters { lines: 5, ..Default::default() });
    let down = SourceCounters { down_since: Some(at(3)), reason: Some("end of input".into()), ..Default::default() };
    sources.insert("stdin".to_string(), down);
    let got = SourceDown::from_counters(&sources);
    assert_eq!(got, [SourceDown { name: "stdin".into(), since: at(3), reason: Some("end of input".into()) }]);
    // A source down since after the app's clock reads (clock skew) is 0 s down, not negative.
    let mut b = Board::new(AlertConfig { source_down_hold_ms: 0, ..Default::default() });
    let feed = Some(FeedHealth { connected: true, since: at(0), last_heard: Some(at(2)), sources_down: got });
    assert_eq!(fired(&b.eval_feed(2, feed)), ["source-down:stdin"]);
    assert_eq!(b.alert(Rule::SourceDown, "stdin").message, "stdin stream down for 0 s (end of input)");
    assert!(
        alerts_at(&AlertConfig::default(), &b.store, at(5), &Default::default()).is_empty(),
        "time travel judges no feed"
    );
}
