//! `cargo bench -p zitiscope-feed --bench seek`: how long the history takes
//! to rebuild a moment (`GET /state?at=`; issue 19's goal: ≤100 ms on a
//! 500k-event history), against replaying the same history from its first
//! event in the same run (the seek without any checkpoint).
//!
//! The history is written as the feed's writer writes it (batches of
//! 1,000 events, a checkpoint every `checkpoint_events`) from the core's
//! realistic stream (`crates/core/benches/stream.rs`: 3 controllers, 300
//! routers, 20,000 identities, HA copies, flaps, links, metrics) into a
//! fresh file. Seeks go through [`History::state_at`], the handler's own
//! path; "reply" adds the state's JSON, as the handler sends it.
//!
//! Two series: jumps (ten moments spread over the history, in a shuffled
//! order, as clicks on the time bar) and a scrub (forty moments 0.5% of the
//! history apart, backward, as a handle dragged back through an incident:
//! forward, the app reads `/history` pages instead of seeking).
//!
//! `SEEK_CHECKPOINT_EVENTS=N` writes a checkpoint every N events instead of
//! the feed's default (how BENCHMARKS.md's "every 25,000" trial was run).

use std::time::{Duration, Instant};
use zitiscope_core::{parse_line, Event, Parsed, Store};
use zitiscope_feed::history::{History, HistoryConfig, HistoryStore, Sqlite};

mod common;
#[path = "../../core/benches/stream.rs"]
mod stream;

use common::machine;

const EVENTS: usize = 500_000;

fn main() {
    // `cargo bench` passes `--bench`; any other run (e.g. `cargo test
    // --benches`) only checks that it builds.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("zitiscope-bench-seek-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let path = dir.join("h.db");
    let mut config = HistoryConfig::new(path.clone());
    if let Ok(n) = std::env::var("SEEK_CHECKPOINT_EVENTS") {
        config.checkpoint_events = n.parse().expect("a count");
    }

    let t = Instant::now();
    let (first, last, rows) = write(&config);
    let mb = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    println!("machine: {}", machine());
    println!(
        "history: {rows} rows, a checkpoint every {} events, {mb:.0} MB, written in {:.1} s",
        config.checkpoint_events,
        t.elapsed().as_secs_f64()
    );

    let plain: Vec<Duration> = (0..3).map(|_| timed(|| replay_all(&path)).0).collect();
    let plain = median(plain);

    let (_frames, rx) = tokio::sync::broadcast::channel(1);
    let (history, _) = History::start(config, rx).expect("the history opens");
    let span = (last - first) as f64;
    let at = |f: f64| first + (span * f) as i64;
    // Jumps: a fixed shuffle of the ten moments, so no two are neighbours.
    let jumps: Vec<i64> = [7, 2, 9, 0, 5, 3, 8, 1, 6, 4].iter().map(|&i| at((i as f64 + 0.5) / 10.0)).collect();
    // Back, as the app seeks while scrubbing (forward it reads `/history`).
    let scrub: Vec<i64> = (0..40).map(|i| at(0.6 - i as f64 * 0.005)).collect();
    for (name, moments) in [("jumps", &jumps), ("scrub", &scrub)] {
        let mut seek = Vec::new();
        let mut reply = Vec::new();
        let mut bytes = 0;
        for &m in moments {
            let (d, store) = timed(|| history.state_at(m).expect("a seek").expect("a moment the history holds"));
            let (s, n) = timed(|| serde_json::to_vec(&store.state_ref()).expect("a state serialises").len());
            bytes = bytes.max(n);
            seek.push(d);
            reply.push(d + s);
        }
        let max = |v: &[Duration]| v.iter().max().copied().unwrap_or_default();
        println!(
            "{name} ({} seeks): seek median {:.1} ms (max {:.1}), reply median {:.1} ms (max {:.1}); \
             plain replay {:.0} ms: median seek = {:.3}× the plain replay; states up to {:.1} MB",
            moments.len(),
            ms(median(seek.clone())),
            ms(max(&seek)),
            ms(median(reply.clone())),
            ms(max(&reply)),
            ms(plain),
            ms(median(seek)) / ms(plain),
            bytes as f64 / 1e6,
        );
    }
    drop(history);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Writes the history as the feed's writer does; returns the first and
/// last event times and the rows stored.
fn write(config: &HistoryConfig) -> (i64, i64, usize) {
    let events: Vec<Event> = stream::Gen::new(42)
        .lines(EVENTS)
        .iter()
        .filter_map(|l| match parse_line(l) {
            Ok(Parsed::Event(e)) => Some(e),
            _ => None,
        })
        .collect();
    let mut db = Sqlite::open(&config.path).expect("the history file opens");
    let mut store = Store::new();
    let (mut rows, mut since, mut max_at) = (0usize, 0u64, i64::MIN);
    for batch in events.chunks(1_000) {
        let added = db.insert(batch).expect("a batch is written");
        for e in batch {
            store.apply(e);
            max_at = max_at.max(e.at.0);
        }
        rows += added;
        since += added as u64;
        if since >= config.checkpoint_events {
            db.checkpoint(max_at, &store.state_ref()).expect("a checkpoint is written");
            since = 0;
        }
    }
    let first = events.iter().map(|e| e.at.0).min().unwrap_or(0);
    (first, max_at, rows)
}

/// Every stored event applied to an empty store, in the order stored.
fn replay_all(path: &std::path::Path) -> Store {
    let db = rusqlite::Connection::open(path).expect("the history file opens");
    let mut stmt = db.prepare("SELECT body FROM events ORDER BY id").expect("a query");
    let mut rows = stmt.query([]).expect("rows");
    let mut store = Store::new();
    while let Some(row) = rows.next().expect("a row") {
        let body: String = row.get(0).expect("a body");
        if let Ok(e) = serde_json::from_str::<Event>(&body) {
            store.apply(&e);
        }
    }
    store
}

fn timed<R>(f: impl FnOnce() -> R) -> (Duration, R) {
    let t = Instant::now();
    let r = f();
    (t.elapsed(), r)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
