//! Profiling harness, for `perf record` or `valgrind --tool=callgrind` (see
//! BENCHMARKS.md). With no argument: parse and apply 100k lines of the
//! benchmark stream once. With `worker`: what the app's worker does with
//! the same events as the feed sends them (batches of 500 as JSON arrays
//! through `sync::Engine::message`, an update asked every 4 batches), timed
//! against decoding the same batches only. With `churn`: the same, with
//! the browser ingest figure's events (bench/events.mjs).

#[path = "../benches/stream.rs"]
mod stream;
use std::time::Instant;
use zitiscope_core::sync::{Command, Engine};
use zitiscope_core::wire::decode_batch;
use zitiscope_core::{parse_line, Event, Parsed, Store};

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("worker") => worker(stream_events(500_000)),
        Some("churn") => worker(churn_events(500_000)),
        _ => apply(100_000),
    }
}

fn apply(n: usize) {
    let lines = stream::Gen::new(42).lines(n);
    let mut store = Store::new();
    let mut changes = 0;
    for l in &lines {
        if let Ok(Parsed::Event(e)) = parse_line(l) {
            changes += store.apply(&e).len();
        }
    }
    println!("{changes} {}", store.len());
}

/// The benchmark stream's mix (HA copies, links, metrics, REST chatter).
fn stream_events(n: usize) -> Vec<Event> {
    events(&stream::Gen::new(42).lines(n))
}

/// The browser ingest figure's events (bench/events.mjs): 100 routers and
/// 10,000 identities come up, then every identity in turn goes offline
/// and, on the next round, reconnects.
fn churn_events(n: usize) -> Vec<Event> {
    const ROUTERS: usize = 100;
    const IDENTITIES: usize = 10_000;
    let mut k = 0u64;
    let mut ts = || {
        k += 1;
        let us = 1_764_590_400_000_000 + k * 10;
        format!("2025-12-01T12:{:02}:{:02}.{:06}000Z", us / 60_000_000 % 60, us / 1_000_000 % 60, us % 1_000_000)
    };
    let connect = |t: String, i: usize| {
        format!(
            r#"{{"namespace":"connect","event_src_id":"ctrl1","timestamp":"{t}","src_type":"identity","dst_type":"router","src_id":"bench-{i}","src_addr":"100.64.0.1:40000","dst_id":"edge-{}","dst_addr":"10.0.0.2:3022"}}"#,
            i % ROUTERS
        )
    };
    let mut lines: Vec<String> = (0..ROUTERS)
        .map(|r| {
            format!(
                r#"{{"namespace":"router","timestamp":"{}","event_src_id":"ctrl1","event_type":"router-online","router_id":"edge-{r}","router_online":true}}"#,
                ts()
            )
        })
        .collect();
    lines.extend((0..IDENTITIES).map(|i| connect(ts(), i)));
    lines.extend((0..n).map(|c| {
        let i = c % IDENTITIES;
        match (c / IDENTITIES) % 2 {
            0 => format!(
                r#"{{"namespace":"sdk","event_src_id":"ctrl1","timestamp":"{}","event_type":"sdk-offline","identity_id":"bench-{i}"}}"#,
                ts()
            ),
            _ => connect(ts(), i),
        }
    }));
    events(&lines)
}

fn events(lines: &[String]) -> Vec<Event> {
    lines
        .iter()
        .filter_map(|l| match parse_line(l) {
            Ok(Parsed::Event(e)) => Some(e),
            _ => None,
        })
        .collect()
}

fn worker(events: Vec<Event>) {
    let batches: Vec<String> = events.chunks(500).map(|c| serde_json::to_string(c).unwrap()).collect();
    let t = Instant::now();
    let decoded: usize = batches.iter().map(|b| decode_batch(b).len()).sum();
    let decode = t.elapsed().as_secs_f64();
    let mut engine = Engine::new(Default::default());
    let t = Instant::now();
    let mut updates = 0;
    for (k, b) in batches.iter().enumerate() {
        let now = k as f64 * 5.0;
        engine.message("batch", &format!("run:{}", k + 1), b, now);
        if k % 4 == 0 {
            if let Some(u) = engine.update(now) {
                updates += 1;
                engine.command(Command::Ready { applied: u.n, send_at: None }, now);
            }
        }
    }
    let all = t.elapsed().as_secs_f64();
    let rate = |s: f64| decoded as f64 / s;
    println!(
        "{decoded} events in {} batches: decode only {:.0} ev/s; the worker's engine {:.0} ev/s ({updates} updates, {} applied)",
        batches.len(),
        rate(decode),
        rate(all),
        engine.client().stats().events
    );
}
