//! Several sources in one feed, through the real binary: three `exec`
//! sources, each a controller's copy of the same HA events (the controller
//! samples, split by `event_src_id`); a command that does not exist beside
//! one that works; a command killed and run again; and the commands gone
//! when the feed stops.

mod common;

use common::binary::{core_store, metric, samples, snapshot, start_binary, until, BinFeed as Feed};
use common::{TempDir as Scratch, WAIT};
use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
use zitiscope_core::wire::Heartbeat;

fn start(args: &[&str]) -> Feed {
    start_binary(&[&["--heartbeat-ms", "100"], args].concat(), Stdio::null())
}

/// Each controller's stream: the HA samples' lines that it emitted, then
/// its copy of the `mixed-outage` story (every controller reports the same
/// routers, identities and links; only the `event_src_id` differs). Cluster
/// events are each controller's own, so the story's are not copied.
fn controller_streams() -> [String; 3] {
    let mut out: [String; 3] = Default::default();
    for file in ["connect-events", "sdk-events", "router-events", "cluster-events", "link-events", "metrics-latency"] {
        for line in std::fs::read_to_string(samples().join(format!("{file}.jsonl"))).unwrap().lines() {
            let i =
                ["ctrl1", "ctrl2", "ctrl3"].iter().position(|c| line.contains(&format!("\"event_src_id\":\"{c}\"")));
            out[i.unwrap_or(0)] += &format!("{line}\n");
        }
    }
    let story = std::fs::read_to_string(samples().join("mixed-outage.jsonl")).unwrap();
    for (i, ctrl) in ["ctrl1", "ctrl2", "ctrl3"].iter().enumerate() {
        for line in story.lines().filter(|l| !l.contains("\"namespace\":\"cluster\"")) {
            out[i] += &line.replace("\"event_src_id\":\"ctrl1\"", &format!("\"event_src_id\":\"{ctrl}\""));
            out[i].push('\n');
        }
    }
    out
}

/// A shell command that prints a chatter line and `file`, then stays up
/// quietly (`exec`: the pid `/healthz` shows is the one that prints).
fn stream_of(file: &Path) -> String {
    format!("sh -c \"echo 'emitting events with format json'; cat '{}'; exec sleep 600\"", file.display())
}

fn gone(pid: u64) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat.rsplit(')').next().is_some_and(|rest| rest.trim_start().starts_with('Z')),
    }
}

#[test]
fn three_controllers_copies_count_once_and_their_commands_end_with_the_feed() {
    let dir = Scratch::new("ha");
    let streams = controller_streams();
    let mut args = Vec::new();
    for (i, text) in streams.iter().enumerate() {
        let file = dir.0.join(format!("ctrl{}.jsonl", i + 1));
        std::fs::write(&file, text).unwrap();
        args.push("--exec".to_owned());
        args.push(format!("ctrl{}={}", i + 1, stream_of(&file)));
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut feed = start(&argv);
    let lines = |i: usize| streams[i].lines().count() as u64 + 1;
    let h = until(&feed, "every line of every controller read and published", |h| {
        let total: u64 = (0..3).map(|i| h["sources"][format!("ctrl{}", i + 1)]["events"].as_u64().unwrap_or(0)).sum();
        (0..3).all(|i| h["sources"][format!("ctrl{}", i + 1)]["lines"] == lines(i)) && h["events"] == total
    });
    for i in 1..=3 {
        let s = &h["sources"][format!("ctrl{i}")];
        assert_eq!((s["up"].as_bool(), s["restarts"].as_u64()), (Some(true), None), "ctrl{i}: {s}");
        assert!(s["skipped"].as_u64().unwrap() >= 1, "the chatter line is skipped: {s}");
        assert_eq!(s["rejected"], 0, "and not rejected: {s}");
    }
    assert_eq!(h["status"], "ok");

    let all = streams.concat();
    let want = core_store(&all);
    assert!(snapshot(&feed).state == want.state(), "three sources make the store one source of every line makes");
    let dupes = metric(&feed, "zitiscope_feed_events_duplicate_total").unwrap();
    assert_eq!(dupes, want.stats().duplicates as f64, "each HA copy counted once");
    assert!(dupes >= 200.0, "the copies are many: {dupes}");
    let applied = metric(&feed, "zitiscope_feed_events_applied_total").unwrap();
    assert_eq!(applied, want.stats().applied as f64);

    // SIGTERM: the feed ends its commands before it exits.
    let pids: Vec<u64> = (1..=3).map(|i| h["sources"][format!("ctrl{i}")]["pid"].as_u64().expect("a pid")).collect();
    assert!(pids.iter().all(|p| !gone(*p)));
    unsafe { libc::kill(feed.child.id() as i32, libc::SIGTERM) };
    let status = feed.child.wait().unwrap();
    assert!(status.success(), "a clean exit: {status}");
    let deadline = Instant::now() + WAIT;
    while !pids.iter().all(|p| gone(*p)) {
        assert!(Instant::now() < deadline, "no command outlives the feed: {pids:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_command_that_does_not_exist_is_down_with_its_reason_and_the_others_go_on() {
    let dir = Scratch::new("ghost");
    let file = dir.0.join("ctrl1.jsonl");
    let story = std::fs::read_to_string(samples().join("router-events.jsonl")).unwrap();
    std::fs::write(&file, &story).unwrap();
    let ok = format!("ctrl1={}", stream_of(&file));
    let feed = start(&["--exec", "ghost=/nonexistent/ziti fabric stream events", "--exec", &ok]);
    let h = until(&feed, "the ghost retried, ctrl1 read", |h| {
        h["sources"]["ghost"]["restarts"].as_u64() >= Some(2) && h["sources"]["ctrl1"]["events"] == h["events"]
    });
    let ghost = &h["sources"]["ghost"];
    assert_eq!(ghost["up"], false);
    assert_eq!(ghost["reason"], "spawn failed: No such file or directory");
    assert!(ghost["down_since"].as_i64().is_some() && ghost["pid"].is_null(), "{ghost}");
    assert_eq!((h["status"].as_str(), h["sources_down"].clone()), (Some("degraded"), serde_json::json!(["ghost"])));
    assert_eq!(h["sources"]["ctrl1"]["up"], true);
    until(&feed, "all of ctrl1's lines", |h| h["sources"]["ctrl1"]["lines"] == story.lines().count() as u64 + 1);
    assert!(snapshot(&feed).state == core_store(&story).state(), "the working source's events are all in");
    assert_eq!(metric(&feed, "zitiscope_feed_source_up{source=\"ghost\"}"), Some(0.0));
    assert_eq!(metric(&feed, "zitiscope_feed_source_up{source=\"ctrl1\"}"), Some(1.0));
    assert!(metric(&feed, "zitiscope_feed_source_restarts_total{source=\"ghost\"}") >= Some(2.0));
    assert!(metric(&feed, "zitiscope_feed_source_down_since_seconds{source=\"ghost\"}").is_some());
    assert_eq!(metric(&feed, "zitiscope_feed_source_down_since_seconds{source=\"ctrl1\"}"), None);

    // The heartbeats carry it to the app.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let beat: Heartbeat = rt.block_on(async {
        let resp = reqwest::get(format!("{}/events", feed.base)).await.unwrap();
        let mut events = Box::pin(resp.bytes_stream().eventsource());
        loop {
            let e = tokio::time::timeout(WAIT, events.next()).await.expect("in time").unwrap().unwrap();
            if e.event == "heartbeat" {
                return serde_json::from_str(&e.data).unwrap();
            }
        }
    });
    let ghost = &beat.sources["ghost"];
    assert!(ghost.down_since.is_some() && ghost.restarts >= 2, "{ghost:?}");
    assert_eq!(ghost.reason.as_deref(), Some("spawn failed: No such file or directory"));
    assert_eq!(beat.sources["ctrl1"].down_since, None);
}

#[test]
fn a_killed_command_is_run_again_and_nothing_known_is_lost() {
    let dir = Scratch::new("killed");
    let file = dir.0.join("ctrl1.jsonl");
    let story = std::fs::read_to_string(samples().join("mixed-outage.jsonl")).unwrap();
    std::fs::write(&file, &story).unwrap();
    let command = stream_of(&file);
    let words = shlex_words(&command);
    let mut argv = vec!["exec", "--name", "ctrl1", "--restart-ms", "300", "--"];
    argv.extend(words.iter().map(String::as_str));
    let feed = start(&argv);
    let n = story.lines().count() as u64 + 1;
    let h =
        until(&feed, "read", |h| h["sources"]["ctrl1"]["lines"] == n && h["sources"]["ctrl1"]["events"] == h["events"]);
    let want = core_store(&story);
    assert!(snapshot(&feed).state == want.state());
    let pid = h["sources"]["ctrl1"]["pid"].as_u64().unwrap();

    unsafe { libc::kill(pid as i32, libc::SIGKILL) };
    let down = until(&feed, "down", |h| h["sources"]["ctrl1"]["up"] == false);
    assert_eq!(down["sources"]["ctrl1"]["reason"], "killed by signal 9");
    // Nothing the store held is lost while the command is gone.
    assert!(snapshot(&feed).state == want.state());
    let back = until(&feed, "run again and up", |h| {
        let s = &h["sources"]["ctrl1"];
        s["up"] == true && s["restarts"] == 1 && s["lines"] == 2 * n
    });
    let s = &back["sources"]["ctrl1"];
    assert_ne!(s["pid"].as_u64(), Some(pid), "a new process");
    assert_eq!(s["reason"], "killed by signal 9", "the last outage's cause stays");
    assert_eq!(s["skipped"].as_u64().unwrap() % 2, 0, "both runs' chatter skipped");
    until(&feed, "the second run published", |h| h["sources"]["ctrl1"]["events"] == h["events"]);
    assert!(snapshot(&feed).state == want.state(), "the second run's copy of every event counted once");
    assert_eq!(metric(&feed, "zitiscope_feed_source_restarts_total{source=\"ctrl1\"}"), Some(1.0));
}

/// The words of a command line (as `sh -c` would see them).
fn shlex_words(text: &str) -> Vec<String> {
    shlex::split(text).expect("balanced quotes")
}
