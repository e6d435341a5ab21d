//! Profiling harness, for `perf record` or `valgrind --tool=callgrind` (see
//! BENCHMARKS.md). With no argument: parse and apply 100k lines of the
//! benchmark stream once. With `worker`: what the app's worker does with
//! the same events as the feed sends them (batches of 500 as JSON arrays
//! through `sync::Engine::message`, an update asked every 4 batches), timed
//! against decoding the same batches only.

#[path = "../benches/stream.rs"]
mod stream;
use std::time::Instant;
use zitiscope_core::sync::{Command, Engine};
use zitiscope_core::wire::decode_batch;
use zitiscope_core::{parse_line, Parsed, Store};

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("worker") => worker(500_000),
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

fn worker(n: usize) {
    let events: Vec<_> = stream::Gen::new(42)
        .lines(n)
        .iter()
        .filter_map(|l| match parse_line(l) {
            Ok(Parsed::Event(e)) => Some(e),
            _ => None,
        })
        .collect();
    let batches: Vec<String> = events.chunks(500).map(|c| serde_json::to_string(c).unwrap()).collect();
    let t = Instant::now();
    let decoded: usize = batches.iter().map(|b| decode_batch(b).len()).sum();
    let decode = t.elapsed().as_secs_f64();
    let mut engine = Engine::new(Default::default(), Vec::new());
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
