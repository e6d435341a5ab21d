//! The `stdin` and `file` sources through the real binary: real controller
//! samples and hostile lines in, and `/healthz`, `/metrics` and `/snapshot`
//! out. The feed's state must equal the core's own parse + apply of the
//! same lines.

mod common;

use common::binary::{core_store, get, health, samples, snapshot, start_binary, BinFeed as Feed};
use common::WAIT;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

fn start(args: &[&str], stdin: Stdio) -> Feed {
    start_binary(args, stdin)
}

/// Polls `/healthz` until the source has read `lines` lines and the hub
/// has published all its events.
fn wait_for_lines(feed: &Feed, source: &str, lines: u64) -> serde_json::Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let h = health(feed);
        let s = &h["sources"][source];
        if s["lines"] == lines && h["events"] == s["events"] {
            return h;
        }
        assert!(Instant::now() < deadline, "the source read {s} of {lines} lines");
        std::thread::sleep(Duration::from_millis(20));
    }
}

const HOSTILE: &[&str] = &[
    "{not json",
    r#"{"namespace":"router","timestamp":"yesterday","event_src_id":"ctrl1","event_type":"router-online","router_id":"r9"}"#,
    "<script>alert(1)</script>",
    r#"{"namespace":"connect","event_src_id":"ctrl1","timestamp":"2025-06-12T09:00:03Z","src_type":"router","dst_type":"ctrl","src_id":""}"#,
];

#[test]
fn stdin_reads_samples_counts_bad_lines_and_matches_the_core() {
    let mut feed = start(&["stdin"], Stdio::piped());
    let mut text = std::fs::read_to_string(samples().join("mixed-outage.jsonl")).unwrap();
    text.push_str(&std::fs::read_to_string(samples().join("cluster-events.jsonl")).unwrap());
    let mut input = text.clone().into_bytes();
    for bad in HOSTILE {
        input.extend_from_slice(bad.as_bytes());
        input.push(b'\n');
    }
    input.extend_from_slice(b"\xff\xfe\n");
    input.extend_from_slice(&vec![b'x'; 2 << 20]);
    input.push(b'\n');
    let lines = input.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count() as u64;
    let mut stdin = feed.child.stdin.take().unwrap();
    stdin.write_all(&input).unwrap();
    drop(stdin); // end of input: the feed keeps serving

    let h = wait_for_lines(&feed, "stdin", lines);
    let s = &h["sources"]["stdin"];
    assert_eq!(s["rejected"], HOSTILE.len() as u64 + 2, "{s}");
    assert!(s["last_error"].as_str().unwrap().contains("bytes long"), "{s}");
    assert!(s["skipped"].as_u64().unwrap() > 0, "terminator events are skipped");

    let want = core_store(&text);
    let got = snapshot(&feed);
    assert!(got.state == want.state(), "the feed's state is the core's");
    assert_eq!(h["summary"]["routers"]["total"], want.summary().routers.total as u64);

    let metrics = get(&format!("{}/metrics", feed.base));
    let rejected = format!("zitiscope_feed_source_rejected_total{{source=\"stdin\"}} {}", HOSTILE.len() + 2);
    assert!(metrics.contains(&rejected), "{metrics}");
    assert!(metrics.contains("# TYPE zitiscope_feed_clients gauge"), "{metrics}");
}

#[test]
fn file_source_follows_appends_partial_lines_and_rotation() {
    let dir = std::env::temp_dir().join(format!("zitiscope-file-source-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("events.json");
    let sample = std::fs::read_to_string(samples().join("router-events.jsonl")).unwrap();
    let lines: Vec<&str> = sample.lines().collect();
    let (first, second) = lines.split_at(lines.len() / 2);
    std::fs::write(&log, first.join("\n") + "\n").unwrap();

    let feed = start(&["file", log.to_str().unwrap(), "--from-start", "--poll-ms", "20"], Stdio::null());
    wait_for_lines(&feed, "file", first.len() as u64);

    // A line written in two parts, then rotation to a new file.
    let append = |path: &Path, text: &str| {
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
        f.write_all(text.as_bytes()).unwrap();
    };
    let (head, tail) = second[0].split_at(second[0].len() / 2);
    append(&log, head);
    std::thread::sleep(Duration::from_millis(100)); // several polls see the half line
    append(&log, &format!("{tail}\nnot json\n"));
    std::fs::rename(&log, dir.join("events.json.1")).unwrap();
    append(&log, &(second[1..].join("\n") + "\n"));

    let h = wait_for_lines(&feed, "file", lines.len() as u64 + 1);
    assert_eq!(h["sources"]["file"]["rejected"], 1, "only `not json`, never half a line");
    assert!(snapshot(&feed).state == core_store(&sample).state(), "every event once, across the rotation");
    let _ = std::fs::remove_dir_all(&dir);
}
