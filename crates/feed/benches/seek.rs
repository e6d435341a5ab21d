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
//! Both backends, on the same events in the same run: SQLite (a file) and
//! PostgreSQL (the tests' server, `scripts/postgres.sh`, in a schema of
//! its own); each backend's write rate and seek times, and PostgreSQL's
//! against SQLite's. `SEEK_BACKENDS=sqlite` runs SQLite alone.
//!
//! `SEEK_CHECKPOINT_EVENTS=N` writes a checkpoint every N events instead of
//! the feed's default (how BENCHMARKS.md's "every 25,000" trial was run).

use std::time::{Duration, Instant};
use zitiscope_core::{parse_line, Event, Parsed, Store};
use zitiscope_feed::history::{History, HistoryConfig, Location};

mod common;
/// The tests' PostgreSQL (the same script, a schema of its own).
#[allow(dead_code)]
#[path = "../tests/common/postgres.rs"]
mod pg;
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
    let events: Vec<Event> = stream::Gen::new(42)
        .lines(EVENTS)
        .iter()
        .filter_map(|l| match parse_line(l) {
            Ok(Parsed::Event(e)) => Some(e),
            _ => None,
        })
        .collect();
    println!("machine: {}", machine());
    let schema = (std::env::var("SEEK_BACKENDS").as_deref() != Ok("sqlite")).then(|| pg::Schema::new("bench_seek"));
    let backends = [
        Some(("sqlite", Location::File(path.clone()))),
        schema.as_ref().map(|s| ("postgres", Location::Postgres(s.url.clone()))),
    ];
    // SQLite's figures, for PostgreSQL's ratios.
    let mut first_run: Option<(f64, [f64; 2])> = None;
    let mut plain = Duration::ZERO;
    for (name, at) in backends.into_iter().flatten() {
        let mut config = HistoryConfig::new(at);
        if let Ok(n) = std::env::var("SEEK_CHECKPOINT_EVENTS") {
            config.checkpoint_events = n.parse().expect("a count");
        }
        let t = Instant::now();
        let (first, last, rows) = write(&config, &events);
        let took = t.elapsed().as_secs_f64();
        let rate = rows as f64 / took;
        let vs = |mine: f64, i: Option<f64>| i.map_or(String::new(), |base| format!(" = {:.2}× SQLite's", mine / base));
        println!(
            "{name}: {rows} rows, a checkpoint every {} events, written in {took:.1} s: {rate:.0} events/s{}",
            config.checkpoint_events,
            vs(rate, first_run.map(|f| f.0)),
        );
        if name == "sqlite" {
            let mb = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
            plain = median((0..3).map(|_| timed(|| replay_all(&path)).0).collect());
            println!("sqlite: {mb:.0} MB; plain replay of every row: {:.0} ms", ms(plain));
        }

        let (_frames, rx) = tokio::sync::broadcast::channel(1);
        let (history, _) = History::start(config, rx).expect("the history opens");
        let span = (last - first) as f64;
        let at = |f: f64| first + (span * f) as i64;
        // Jumps: a fixed shuffle of the ten moments, so no two are neighbours.
        let jumps: Vec<i64> = [7, 2, 9, 0, 5, 3, 8, 1, 6, 4].iter().map(|&i| at((i as f64 + 0.5) / 10.0)).collect();
        // Back, as the app seeks while scrubbing (forward it reads `/history`).
        let scrub: Vec<i64> = (0..40).map(|i| at(0.6 - i as f64 * 0.005)).collect();
        let mut medians = [0.0; 2];
        for (k, (series, moments)) in [("jumps", &jumps), ("scrub", &scrub)].into_iter().enumerate() {
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
            medians[k] = ms(median(seek.clone()));
            println!(
                "{name} {series} ({} seeks): seek median {:.1} ms (max {:.1}){}, reply median {:.1} ms (max {:.1}); \
                 median seek = {:.3}× SQLite's plain replay; states up to {:.1} MB",
                moments.len(),
                medians[k],
                ms(max(&seek)),
                vs(medians[k], first_run.map(|f| f.1[k])),
                ms(median(reply.clone())),
                ms(max(&reply)),
                medians[k] / ms(plain),
                bytes as f64 / 1e6,
            );
        }
        first_run.get_or_insert((rate, medians));
        drop(history);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Writes the history as the feed's writer does; returns the first and
/// last event times and the rows stored.
fn write(config: &HistoryConfig, events: &[Event]) -> (i64, i64, usize) {
    let mut db = config.at.open().expect("the history opens");
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
