//! The history against a real SQLite file and a real PostgreSQL (each test
//! of the suite runs on both), through the real server: every event is
//! kept once, `/history` pages and filters them, `/state?at=` rebuilds the
//! network at a moment, and a restart that reads the same log again loses
//! nothing and adds nothing.

mod common;

use common::history::*;
use common::{start, TempDir, WAIT};
use std::time::Instant;

on_both!(
    pages_filters_and_rebuilds_the_network_at_a_moment,
    a_restart_that_reads_the_log_again_loses_nothing_and_adds_nothing,
    the_history_finds_entities_by_name_as_well_as_by_id,
);

async fn pages_filters_and_rebuilds_the_network_at_a_moment(backend: Backend) {
    let dir = TempDir::new(&format!("history-pages-{backend:?}"));
    let db = Db::new(backend, &dir, "pages");
    let path = dir.0.join("events.jsonl");
    log(&path, 0..500);
    let feed = feed(&db, &path).await;
    let health = settled(&feed, 500).await;
    assert_eq!(health["history"]["written"], 500);
    assert_eq!(health["history"]["errors"], 0);
    let metrics = reqwest::get(format!("{}/metrics", feed.base)).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("\nzitiscope_feed_history_written_total 500\n"), "{metrics}");

    // Every event, once, in time order, across pages of 37.
    let events = all(&feed, "", 37).await;
    assert_eq!(events.len(), 500);
    let times: Vec<i64> = events.iter().map(|e| e["event"]["at"].as_i64().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] < w[1]), "in time order, none twice");
    assert_eq!(times[0], T0);

    // And every real state change those events made, with its words.
    let changes = all_changes(&feed).await;
    assert_eq!(changes.len(), reference_changes(500));
    let offline: Vec<_> =
        changes.iter().filter(|c| c["label"]["what"] == "router-to-ctrl" && c["label"]["good"] == false).collect();
    assert_eq!(offline.len(), 10, "each router went offline once: {:?}", offline.first());
    // The same, filtered by the feed and newest first, across pages of 3.
    let newest =
        pages(&feed, "/changes?limit=3&order=desc&filter=kind%3Drouter-to-ctrl%20AND%20!good", "changes").await;
    let mut want = offline.clone();
    want.reverse();
    assert_eq!(newest.iter().collect::<Vec<_>>(), want, "filtered, newest first, each once");
    let (status, bad) = json(format!("{}/changes?filter=nosuch%3D1", feed.base)).await;
    assert_eq!(status, 400, "{bad}");
    assert!(bad["error"].as_str().unwrap().starts_with("filter:"), "{bad}");

    // A time window and a filter.
    let from = T0 + 100 * 1_000_000;
    let to = T0 + 200 * 1_000_000;
    let window = all(&feed, &format!("from={from}&to={to}"), 1000).await;
    assert_eq!(window.len(), 100);
    let offline = all(&feed, "filter=type%3Dconn%20AND%20kind%3Drouter-to-ctrl%20AND%20!up", 1000).await;
    assert_eq!(offline.len(), (10..500).filter(|k| k % 7 == 0).count());
    // Newest first, across pages, is the same rows backwards.
    let mut backwards = all(&feed, "order=desc&filter=type%3Dconn%20AND%20kind%3Drouter-to-ctrl%20AND%20!up", 13).await;
    backwards.reverse();
    assert_eq!(backwards, offline, "order=desc pages backwards through the same rows");
    assert_eq!(json(format!("{}/history?order=sideways", feed.base)).await.0, 400);
    let rfc = all(&feed, "from=2025-06-12T09:00:00.490Z", 1000).await;
    assert_eq!(rfc.len(), 10, "RFC 3339 times too");

    // A bad filter says where; a bad time and a bad cursor are refused.
    let (status, body) = json(format!("{}/history?filter=stat%3Doffline", feed.base)).await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("col 1: no field `stat`"), "{body}");
    assert_eq!(json(format!("{}/history?from=yesterday", feed.base)).await.0, 400);
    assert_eq!(json(format!("{}/history?cursor=x", feed.base)).await.0, 400);

    // The network at a moment equals the core's own replay of the events up to it.
    for k in [5, 9, 70, 71, 250, 499] {
        let at = T0 + k * 1_000_000;
        let (status, body) = json(format!("{}/state?at={at}", feed.base)).await;
        assert_eq!(status, 200, "{body}");
        let mut reference = zitiscope_core::Store::new();
        for j in 0..=k {
            if let Ok(zitiscope_core::Parsed::Event(e)) = zitiscope_core::parse_line(&line(j)) {
                reference.apply(&e);
            }
        }
        assert_eq!(body["summary"], serde_json::to_value(reference.summary()).unwrap(), "at event {k}");
    }
    assert_eq!(json(format!("{}/state?at={}", feed.base, T0 - 1)).await.0, 404, "before the history");

    // As a browser asks for it: zstd, the fastest to make of a state that
    // is tens of MB on a large network; the same JSON once decoded.
    let url = format!("{}/state?at={}", feed.base, T0 + 250 * 1_000_000);
    let zstd =
        reqwest::Client::new().get(&url).header("accept-encoding", "gzip, deflate, br, zstd").send().await.unwrap();
    assert_eq!(zstd.headers()["content-encoding"], "zstd");
    let decoded = zstd::decode_all(&zstd.bytes().await.unwrap()[..]).unwrap();
    let decoded: serde_json::Value = serde_json::from_slice(&decoded).unwrap();
    assert_eq!(decoded, json(url).await.1);
    // So is the snapshot the app's worker starts from (built per request,
    // ~6 MB on a network of 20,000 identities).
    let snap_url = format!("{}/snapshot", feed.base);
    let snap = reqwest::Client::new()
        .get(&snap_url)
        .header("accept-encoding", "gzip, deflate, br, zstd")
        .send()
        .await
        .unwrap();
    assert_eq!(snap.headers()["content-encoding"], "zstd");
    let decoded: serde_json::Value =
        serde_json::from_slice(&zstd::decode_all(&snap.bytes().await.unwrap()[..]).unwrap()).unwrap();
    let plain = json(snap_url).await.1;
    // (`at` is the feed's clock when it answered.)
    assert!(decoded["state"] == plain["state"] && decoded["seq"] == plain["seq"], "the same snapshot once decoded");
    // The app's files and the other answers stay brotli (smaller).
    let nodes = reqwest::Client::new()
        .get(format!("{}/nodes", feed.base))
        .header("accept-encoding", "gzip, deflate, br, zstd")
        .send()
        .await
        .unwrap();
    assert_eq!(nodes.headers()["content-encoding"], "br");

    // Exports: the same events as JSON lines and as CSV, as downloads.
    let get = |q: &str| reqwest::get(format!("{}/history?{q}", feed.base));
    let jsonl = get("format=jsonl&filter=type%3Dconn%20AND%20!up").await.unwrap();
    assert_eq!(jsonl.headers()["content-type"], "application/x-ndjson");
    assert!(jsonl.headers()["content-disposition"].to_str().unwrap().contains("zitiscope-events.jsonl"));
    let text = jsonl.text().await.unwrap();
    let lines: Vec<zitiscope_core::Event> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), offline.len(), "the filter applies to exports");
    let csv = get("format=csv&limit=100").await.unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let next = csv.headers().get("x-zitiscope-next").map(|v| v.to_str().unwrap().to_owned());
    let text = csv.text().await.unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows[0], zitiscope_core::export::csv_header().trim_end());
    assert_eq!(rows.len(), 101, "the header and the first 100 events");
    assert!(rows[1].starts_with("1,2025-06-12T09:00:00Z,conn,router-to-ctrl,edge-0,"), "{}", rows[1]);
    let rest = get(&format!("format=csv&cursor={}", next.expect("more to come"))).await.unwrap().text().await.unwrap();
    assert_eq!(rest.lines().count(), 1 + 400, "the cursor goes on from there");
    assert_eq!(get("format=xml").await.unwrap().status(), 400);

    // The aggregation of the window equals the core's own over the same events.
    let to = T0 + 500 * 1_000_000;
    let (status, report) = json(format!("{}/aggregate?from={T0}&to={to}&top=3", feed.base)).await;
    assert_eq!(status, 200, "{report}");
    let parsed: Vec<_> = (0..500)
        .filter_map(|k| match zitiscope_core::parse_line(&line(k)) {
            Ok(zitiscope_core::Parsed::Event(e)) => Some(e),
            _ => None,
        })
        .collect();
    let mut start = zitiscope_core::Store::new();
    start.apply(&parsed[0]);
    let mut reference =
        zitiscope_core::aggregate::Aggregator::new(start, zitiscope_core::Timestamp(T0), zitiscope_core::Timestamp(to));
    for e in &parsed {
        reference.observe(e);
    }
    assert_eq!(report, serde_json::to_value(reference.report(3)).unwrap());
    assert_eq!(report["events"], 500);
    assert_eq!(report["routers"].as_array().unwrap().len(), 10);
    assert_eq!(report["top_routers"].as_array().unwrap().len(), 3);
    assert!(report["top_routers"].as_array().unwrap().iter().all(|r| r["flaps"] == 1), "{report}");
    assert_eq!(json(format!("{}/aggregate?from={to}&to={T0}", feed.base)).await.0, 400);
    stop(feed).await;
}

async fn a_restart_that_reads_the_log_again_loses_nothing_and_adds_nothing(backend: Backend) {
    let dir = TempDir::new(&format!("history-restart-{backend:?}"));
    let db = Db::new(backend, &dir, "restart");
    let path = dir.0.join("events.jsonl");
    log(&path, 0..300);
    let first = feed(&db, &path).await;
    settled(&first, 300).await;
    stop(first).await;

    // While it is down the log grows; the next run reads it all from the start.
    log(&path, 300..450);
    let second = feed(&db, &path).await;
    let health = settled(&second, 450).await;
    assert_eq!(health["history"]["written"], 150, "only the new events are new");
    assert_eq!(health["history"]["known"], 300, "the old ones are recognised");
    let events = all(&second, "", 1000).await;
    assert_eq!(events.len(), 450, "each event once");
    assert_eq!(all_changes(&second).await.len(), reference_changes(450), "each change once, across the restart");
    let (_, now) = json(format!("{}/state", second.base)).await;
    let (_, snap) = json(format!("{}/snapshot", second.base)).await;
    assert_eq!(now["state"], snap["state"], "the history's latest state is the live one");
    stop(second).await;
}

#[tokio::test]
async fn no_history_says_so() {
    let feed = start(&["simulate", "--identities", "10"]).await;
    let (status, body) = json(format!("{}/history", feed.base)).await;
    assert_eq!(status, 404);
    assert!(body["error"].as_str().unwrap().contains("--no-history"));
    stop(feed).await;
}

#[tokio::test]
async fn the_history_needs_the_token_when_there_is_one() {
    let dir = TempDir::new("history-token");
    let db = dir.0.join("h.db");
    let token = "a-token-of-sixteen-chars";
    let feed = start(&["--history", db.to_str().unwrap(), "--token", token, "simulate", "--identities", "10"]).await;
    let deadline = Instant::now() + WAIT;
    while json(format!("{}/healthz?token={token}", feed.base)).await.1["history"]["written"].as_u64().unwrap_or(0) == 0
    {
        assert!(Instant::now() < deadline, "the simulated network reaches the history");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    for path in ["/history", "/state", "/report", "/maintenance"] {
        assert_eq!(reqwest::get(format!("{}{path}", feed.base)).await.unwrap().status(), 401, "{path} without it");
        let ok = reqwest::get(format!("{}{path}?token={token}", feed.base)).await.unwrap();
        assert_eq!(ok.status(), 200, "{path} with it");
    }
    stop(feed).await;
}

/// Real networks name entities by opaque ids: `/history` and `/changes`
/// find them by the name the controller gave them too, and `/changes`
/// labels them by name.
async fn the_history_finds_entities_by_name_as_well_as_by_id(backend: Backend) {
    let dir = TempDir::new(&format!("history-names-{backend:?}"));
    let db = Db::new(backend, &dir, "names");
    let path = dir.0.join("events.jsonl");
    // edge-3 is named eu-three (a committed entityChange, before T0).
    let named = [
        r#"{"namespace":"entityChange","event_src_id":"ctrl1","timestamp":"2025-06-12T08:59:59Z","eventId":"e-1","eventType":"created","entityType":"routers","isParentEvent":false,"initialState":null,"finalState":{"id":"edge-3","name":"eu-three","roleAttributes":["eu"]}}"#,
        r#"{"namespace":"entityChange","event_src_id":"ctrl1","timestamp":"2025-06-12T08:59:59.001Z","eventId":"e-1","eventType":"committed"}"#,
    ];
    std::fs::write(&path, format!("{}\n", named.join("\n"))).unwrap();
    log(&path, 0..100);
    let feed = feed(&db, &path).await;
    settled(&feed, 102).await;

    let by_id = all(&feed, "filter=dst%3Dedge-3", 1000).await;
    let by_name = all(&feed, "filter=dst%3Deu-three", 1000).await;
    assert!(!by_id.is_empty());
    assert_eq!(by_name, by_id, "dst= finds the router by its name as by its id");
    let bare = all(&feed, "filter=eu-three%20AND%20type%3Dconn", 1000).await;
    assert_eq!(bare.len(), by_id.len() + 2, "a bare word too: its identities, and its own online and offline");

    let changes = pages(&feed, "/changes?filter=kind%3Drouter-to-ctrl%20AND%20name*%3Deu-three", "changes").await;
    assert_eq!(changes.len(), 2, "online, then offline: {changes:?}");
    assert!(changes.iter().all(|c| c["label"]["subject"] == "eu-three → ctrl1"), "labelled by name: {changes:?}");
    stop(feed).await;
}

/// PostgreSQL going away under a running feed: the live feed goes on, the
/// history counts the failure and says why, and once the server is back
/// every event is in the history, once.
#[cfg(feature = "postgres")]
#[tokio::test]
async fn postgres_going_away_loses_nothing() {
    let dir = TempDir::new("history-pg-outage");
    // Beside the shared server's port (55432 unless the environment moves it).
    let port = std::env::var("ZITISCOPE_POSTGRES_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(55432u16) + 1;
    let server = common::postgres::Own::start("outage", port);
    let path = dir.0.join("events.jsonl");
    log(&path, 0..200);
    let db = Db::Postgres(common::postgres::Schema::on(&server.url(), "outage"));
    let feed = feed(&db, &path).await;
    let health = settled(&feed, 200).await;
    assert_eq!(
        (health["history"]["backend"].as_str(), health["history"]["written"].as_u64()),
        (Some("postgres"), Some(200))
    );

    server.script("stop");
    log(&path, 200..400);
    // The live feed goes on without it…
    let deadline = Instant::now() + WAIT;
    while !reqwest::get(format!("{}/snapshot", feed.base)).await.unwrap().text().await.unwrap().contains("laptop-398") {
        assert!(Instant::now() < deadline, "the live feed goes on");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // …and the history says why it is behind.
    let deadline = Instant::now() + WAIT;
    loop {
        let (_, h) = json(format!("{}/healthz", feed.base)).await;
        if h["history"]["errors"].as_u64() > Some(0) {
            let why = h["history"]["last_error"].as_str().unwrap_or_default().to_owned();
            assert!(why.starts_with("writing events: postgres"), "{why}");
            assert!(h["history"]["written"].as_u64() < Some(400));
            break;
        }
        assert!(Instant::now() < deadline, "the history reports the failure: {h}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    server.script("start");
    let health = settled(&feed, 400).await;
    assert_eq!(health["history"]["written"], 400, "every event, once the server is back");
    let events = all(&feed, "", 1000).await;
    let times: Vec<i64> = events.iter().map(|e| e["event"]["at"].as_i64().unwrap()).collect();
    assert_eq!(times.len(), 400);
    assert!(times.windows(2).all(|w| w[0] < w[1]), "in time order, none twice");
    let (_, now) = json(format!("{}/state?at={}", feed.base, T0 + 399 * 1_000_000)).await;
    let (_, snap) = json(format!("{}/snapshot", feed.base)).await;
    assert_eq!(now["state"], snap["state"], "the history's latest state is the live one");
    stop(feed).await;
}
