//! The feed, end to end over real HTTP: a real server on an ephemeral port,
//! read by a real SSE client.

mod common;

use common::{start, WAIT};
use eventsource_stream::{Event as SseEvent, Eventsource};
use futures_util::{Stream, StreamExt};
use std::pin::Pin;
use std::time::Duration;
use zitiscope_core::wire::{decode_batch, EventId, Heartbeat, Resume, Snapshot};
use zitiscope_core::{Store, StoreConfig};

type Events =
    Pin<Box<dyn Stream<Item = Result<SseEvent, eventsource_stream::EventStreamError<reqwest::Error>>> + Send>>;

async fn subscribe(base: &str) -> Events {
    subscribe_with(reqwest::Client::new().get(format!("{base}/events"))).await
}

async fn subscribe_with(req: reqwest::RequestBuilder) -> Events {
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let ct = resp.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("text/event-stream"), "{ct}");
    assert_eq!(resp.headers()["x-accel-buffering"], "no");
    Box::pin(resp.bytes_stream().eventsource())
}

async fn next(events: &mut Events) -> SseEvent {
    tokio::time::timeout(WAIT, events.next())
        .await
        .expect("an event within the timeout")
        .expect("the stream stays open")
        .expect("well-formed SSE")
}

/// The batch sequence of an SSE id (`<feed>:<seq>`).
fn seq(id: &str) -> u64 {
    EventId::parse(id).expect("a feed id").seq
}

/// Reads until a `batch` event arrives (skipping heartbeats).
async fn next_batch(events: &mut Events) -> SseEvent {
    loop {
        let e = next(events).await;
        if e.event == "batch" {
            return e;
        }
        assert_eq!(e.event, "heartbeat", "only batches and heartbeats follow the snapshot");
    }
}

const BUSY: &[&str] = &[
    "--batch-interval-ms",
    "20",
    "simulate",
    "--routers",
    "12",
    "--identities",
    "500",
    "--rate",
    "400",
    "--outage-every",
    "2",
];

#[tokio::test]
async fn snapshot_first_then_batches_in_sequence() {
    let feed = start(BUSY).await;
    let mut events = subscribe(&feed.base).await;

    let first = next(&mut events).await;
    assert_eq!(first.event, "snapshot");
    assert_eq!(first.retry, Some(Duration::from_millis(1000)));
    let snap: Snapshot = serde_json::from_str(&first.data).unwrap();
    assert_eq!(first.id, format!("{}:{}", snap.run, snap.seq));
    assert!(snap.seq >= 1, "bootstrap was published before clients came");
    let mut store = Store::from_state(snap.state, StoreConfig::default());
    let sum = store.summary();
    assert_eq!((sum.controllers.total, sum.routers.total), (3, 12));
    assert!(sum.identities.online > 300, "{:?}", sum.identities);

    let mut changes = 0;
    for expected in snap.seq + 1..snap.seq + 11 {
        let batch = next_batch(&mut events).await;
        assert_eq!(seq(&batch.id), expected, "ids are consecutive with no gap");
        let decoded = decode_batch(&batch.data);
        assert!(!decoded.is_empty());
        for e in decoded {
            changes += usize::from(!store.apply(&e.expect("the feed writes valid events")).is_empty());
        }
    }
    assert!(changes > 0, "a live network changes");
    let _ = feed.stop.send(true);
    tokio::time::timeout(WAIT, feed.task).await.expect("graceful shutdown ends open streams").unwrap().unwrap();
}

/// A client that applies snapshot + batches up to seq M holds exactly the
/// state of a later client's snapshot at M: no gap, no overlap.
#[tokio::test]
async fn snapshot_and_batches_join_exactly() {
    let feed = start(BUSY).await;
    let mut a = subscribe(&feed.base).await;
    let snap_a: Snapshot = serde_json::from_str(&next(&mut a).await.data).unwrap();
    let mut store = Store::from_state(snap_a.state, StoreConfig::default());
    // Let the network move on before the second client joins.
    let mut seq = snap_a.seq;
    for _ in 0..5 {
        let b = next_batch(&mut a).await;
        for e in decode_batch(&b.data) {
            store.apply(&e.unwrap());
        }
        seq = self::seq(&b.id);
    }
    let mut b = subscribe(&feed.base).await;
    let snap_b: Snapshot = serde_json::from_str(&next(&mut b).await.data).unwrap();
    assert!(snap_b.seq >= seq);
    while seq < snap_b.seq {
        let batch = next_batch(&mut a).await;
        for e in decode_batch(&batch.data) {
            store.apply(&e.unwrap());
        }
        seq = self::seq(&batch.id);
    }
    assert_eq!(seq, snap_b.seq);
    let (mine, theirs) = (store.state(), snap_b.state);
    assert_eq!(mine.connections.len(), theirs.connections.len());
    for (a, b) in mine.connections.iter().zip(&theirs.connections) {
        assert_eq!(a, b, "first differing connection");
    }
    assert!(mine == theirs, "identities, links, cluster or entity lists differ");
    let _ = feed.stop.send(true);
}

#[tokio::test]
async fn heartbeats_carry_time_and_seq() {
    let feed =
        start(&["--heartbeat-ms", "150", "simulate", "--rate", "0", "--outage-every", "0", "--identities", "10"]).await;
    let mut events = subscribe(&feed.base).await;
    // Link latency samples may still make a batch now and then: a beat
    // names the last sequence sent before it.
    let mut last = seq(&next(&mut events).await.id);
    let hb = loop {
        let e = next(&mut events).await;
        match e.event.as_str() {
            "batch" => last = seq(&e.id),
            "heartbeat" => break e,
            other => panic!("unexpected {other}"),
        }
    };
    let beat: Heartbeat = serde_json::from_str(&hb.data).unwrap();
    assert_eq!(beat.seq, last, "the beat carries the last sequence sent");
    let unix_now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as i64;
    assert!((unix_now - beat.now.0).abs() < 5_000_000_000, "server time is now");
    let _ = feed.stop.send(true);
}

/// A heartbeat carries the sources' counters, as `/healthz` has them, so
/// the app can show what the feed itself rejected.
#[tokio::test]
async fn heartbeats_carry_the_source_counters_after_a_rejected_line() {
    let dir = common::TempDir::new("heartbeat-sources");
    let log = dir.0.join("events.json");
    let good = r#"{"namespace":"router","timestamp":"2025-06-12T09:00:00Z","event_src_id":"ctrl1","event_type":"router-online","router_id":"r1"}"#;
    std::fs::write(&log, format!("{good}\n<script>not json</script>\n")).unwrap();
    let log_arg = log.to_str().unwrap().to_owned();
    let feed = start(&["--heartbeat-ms", "100", "file", &log_arg, "--from-start", "--poll-ms", "20"]).await;
    let mut events = subscribe(&feed.base).await;
    assert_eq!(next(&mut events).await.event, "snapshot");
    // The file is read on its own thread: beats before it was read say less.
    let file = loop {
        let e = next(&mut events).await;
        if e.event != "heartbeat" {
            continue;
        }
        let beat: Heartbeat = serde_json::from_str(&e.data).unwrap();
        let file = beat.sources.get("file").cloned().expect("every beat names the feed's source");
        if file.lines == 2 {
            break file;
        }
    };
    assert_eq!((file.events, file.skipped, file.rejected), (1, 0, 1), "{file:?}");
    let reason = file.last_error.expect("the reason comes along");
    assert!(reason.starts_with("line 2: "), "{reason}");
    let health: serde_json::Value = reqwest::get(format!("{}/healthz", feed.base)).await.unwrap().json().await.unwrap();
    assert_eq!(health["sources"]["file"]["rejected"], 1, "the same counters as /healthz");
    assert_eq!(health["sources"]["file"]["last_error"], reason.as_str());
    let _ = feed.stop.send(true);
}

#[tokio::test]
async fn healthz_and_static_app() {
    let dir = std::env::temp_dir().join(format!("zitiscope-static-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>zitiscope</title>").unwrap();
    std::fs::write(dir.join("app_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let dir_arg = dir.to_str().unwrap().to_owned();
    let feed = start(&["--static", &dir_arg, "simulate", "--identities", "50"]).await;

    let health_text = reqwest::get(format!("{}/healthz", feed.base)).await.unwrap().text().await.unwrap();
    let health: serde_json::Value = serde_json::from_str(&health_text).unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["summary"]["routers"]["total"], 40);
    assert!(health["seq"].as_u64().unwrap() >= 1);

    let index = reqwest::get(format!("{}/", feed.base)).await.unwrap();
    assert_eq!(index.status(), 200);
    assert!(index.text().await.unwrap().contains("<title>zitiscope</title>"));
    let wasm = reqwest::get(format!("{}/app_bg.wasm", feed.base)).await.unwrap();
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    // Deep links fall back to the app.
    let deep = reqwest::get(format!("{}/some/deep/link", feed.base)).await.unwrap();
    assert!(deep.text().await.unwrap().contains("zitiscope"));
    let _ = feed.stop.send(true);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn cors_only_for_listed_origins() {
    let feed = start(&["--allow-origin", "http://noc.example:8080", "simulate", "--identities", "10"]).await;
    let client = reqwest::Client::new();
    let ask = |origin: &'static str| client.get(format!("{}/healthz", feed.base)).header("origin", origin).send();
    let allowed = ask("http://noc.example:8080").await.unwrap();
    assert_eq!(allowed.headers()["access-control-allow-origin"], "http://noc.example:8080");
    let other = ask("http://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
    let _ = feed.stop.send(true);
}

async fn apply_batch(store: &mut Store, batch: &SseEvent) {
    for e in decode_batch(&batch.data) {
        store.apply(&e.expect("the feed writes valid events"));
    }
}

async fn get_snapshot(base: &str) -> Snapshot {
    let resp = reqwest::get(format!("{base}/snapshot")).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    serde_json::from_str(&resp.text().await.unwrap()).expect("/snapshot is a Snapshot")
}

/// A client that drops and reconnects with `Last-Event-ID` gets `resume`
/// and exactly the batches it missed: its state then equals `/snapshot`.
#[tokio::test]
async fn resume_after_disconnect_gives_every_event_exactly_once() {
    let feed = start(BUSY).await;
    let mut a = subscribe(&feed.base).await;
    let first = next(&mut a).await;
    let snap: Snapshot = serde_json::from_str(&first.data).unwrap();
    let mut store = Store::from_state(snap.state, StoreConfig::default());
    let mut last = first.id.clone();
    for _ in 0..3 {
        let b = next_batch(&mut a).await;
        apply_batch(&mut store, &b).await;
        last = b.id;
    }
    drop(a);
    // Wait (on the feed's own sequence) until batches were missed.
    let missed_from = seq(&last) + 1;
    let deadline = tokio::time::Instant::now() + WAIT;
    while get_snapshot(&feed.base).await.seq < missed_from + 3 {
        assert!(tokio::time::Instant::now() < deadline, "the feed keeps publishing");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let req = reqwest::Client::new().get(format!("{}/events", feed.base)).header("Last-Event-ID", &last);
    let mut b = subscribe_with(req).await;
    let opening = next(&mut b).await;
    assert_eq!(opening.event, "resume", "no snapshot inside the replay ring");
    let resume: Resume = serde_json::from_str(&opening.data).unwrap();
    assert_eq!((resume.run.as_str(), resume.seq), (snap.run.as_str(), seq(&last)));
    let target = get_snapshot(&feed.base).await;
    let mut expected = missed_from;
    while expected <= target.seq {
        let batch = next_batch(&mut b).await;
        assert_eq!(seq(&batch.id), expected, "every missed batch, once, in order");
        apply_batch(&mut store, &batch).await;
        expected += 1;
    }
    assert!(store.state() == target.state, "resumed state equals /snapshot at the same seq");
    let _ = feed.stop.send(true);
}

/// `?since=` outside the ring, or from another run of the feed, gets a
/// fresh snapshot.
#[tokio::test]
async fn since_outside_the_ring_gets_a_snapshot() {
    let mut args = vec!["--replay", "2"];
    args.extend_from_slice(BUSY);
    let feed = start(&args).await;
    let snap = get_snapshot(&feed.base).await;
    let deadline = tokio::time::Instant::now() + WAIT;
    while get_snapshot(&feed.base).await.seq < snap.seq + 4 {
        assert!(tokio::time::Instant::now() < deadline, "the feed keeps publishing");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for since in [format!("{}:{}", snap.run, snap.seq), format!("other:{}", snap.seq + 3)] {
        let url = format!("{}/events?since={since}", feed.base);
        let mut events = subscribe_with(reqwest::Client::new().get(url)).await;
        assert_eq!(next(&mut events).await.event, "snapshot", "{since}");
    }
    let _ = feed.stop.send(true);
}

/// A client that stops reading over a real socket falls behind once the
/// socket buffers fill. The hub keeps only `--client-queue` batches for it
/// (memory stays bounded however far behind it is); when it reads again it
/// gets what the socket held, then `reset`, then the end of the stream.
#[tokio::test]
async fn a_slow_reader_over_real_tcp_gets_reset_and_is_dropped() {
    let feed = start(&["--client-queue", "4", "simulate", "--rate", "5000", "--identities", "20000"]).await;
    let mut slow = subscribe(&feed.base).await;
    assert_eq!(next(&mut slow).await.event, "snapshot");
    // Read nothing until the feed is far more than the queue ahead of us.
    let metrics_url = format!("{}/metrics", feed.base);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let m = reqwest::get(&metrics_url).await.unwrap().text().await.unwrap();
        let lag = m
            .lines()
            .find(|l| l.starts_with("zitiscope_feed_client_lag_batches{"))
            .and_then(|l| l.rsplit(' ').next()?.parse::<u64>().ok());
        if lag.is_some_and(|l| l > 40) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the client never fell behind: {lag:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut last = String::new();
    while let Ok(Some(Ok(e))) = tokio::time::timeout(WAIT, slow.next()).await {
        last = e.event;
    }
    assert_eq!(last, "reset", "the stream ends with reset, never with a silent gap");
    let m = reqwest::get(&metrics_url).await.unwrap().text().await.unwrap();
    assert!(m.contains("zitiscope_feed_client_resets_total 1"), "{m}");
    assert!(m.contains("zitiscope_feed_clients 0"), "the client is gone: {m}");
    let _ = feed.stop.send(true);
}
