//! Soak: a day of simulated network time, as fast as the machine goes,
//! through the real core store and alert engine (the code the browser
//! runs), with the `reconnect-storm` and `flapping-identity` scenarios
//! replayed every minute. Reports the heap (a counting allocator) after
//! the first simulated hour and at the end, what fired per rule, and
//! duplicate alerts: an alert that fires again within 30 s of resolving
//! (one incident told twice), or a network-wide alert firing beside a
//! per-router one of the same rule (the same incident under two keys).
//!
//!   cargo run --release -p zitiscope-feed --example soak [-- HOURS]
//!
//! Not part of `make test`: it is a benchmark (see BENCHMARKS.md).

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Instant;
use zitiscope_core::alerts::{AlertConfig, AlertEngine, Notice};
use zitiscope_core::{Store, Timestamp};
use zitiscope_feed::simulate::{Network, Scenario, SimulateArgs};

/// Bytes allocated and not yet freed.
static LIVE: AtomicIsize = AtomicIsize::new(0);

struct Counting;

// SAFETY: every call is passed to the system allocator unchanged; only a
// counter is updated beside it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new as isize - l.size() as isize, Ordering::Relaxed);
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const SEC: i64 = 1_000_000_000;
/// Simulated seconds per step; the alerts are evaluated every whole second.
const STEP: f64 = 0.25;
/// A re-fire this soon after resolving counts as a duplicate.
const REFIRE_NS: i64 = 30 * SEC;

fn mib(bytes: isize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn main() {
    let hours: f64 = std::env::args().nth(1).and_then(|h| h.parse().ok()).unwrap_or(24.0);
    println!("| scenario | simulated | wall time | events | heap at 1 h | heap at end | growth | alerts fired (by rule) | duplicates |");
    println!("|---|---:|---:|---:|---:|---:|---:|---|---:|");
    for scenario in [Scenario::ReconnectStorm, Scenario::FlappingIdentity] {
        soak(scenario, hours);
    }
}

fn soak(scenario: Scenario, hours: f64) {
    let args =
        SimulateArgs { routers: 40, identities: 5_000, scenario, scenario_every: 60.0, ..SimulateArgs::default() };
    let started = Instant::now();
    let mut net = Network::new(&args);
    let mut store = Store::new();
    let mut engine = AlertEngine::new(AlertConfig::default());
    let t0 = Timestamp(1_767_225_600 * SEC); // 2026-01-01T00:00:00Z
    let mut events = 0u64;
    for e in net.bootstrap(t0) {
        store.apply(&e);
        events += 1;
    }
    let (mut firing, mut duplicates) = (BTreeSet::new(), 0u64);
    let mut resolved_at: BTreeMap<zitiscope_core::alerts::AlertKey, Timestamp> = BTreeMap::new();
    let mut fired: BTreeMap<&'static str, u64> = BTreeMap::new();
    let steps = (hours * 3600.0 / STEP) as i64;
    let mut heap_at_hour = None;
    for k in 1..=steps {
        let now = Timestamp(t0.0 + (k as f64 * STEP * SEC as f64) as i64);
        for e in net.step(now, STEP) {
            store.apply(&e);
            events += 1;
        }
        let second = (k as f64 * STEP) as i64;
        if (k as f64 * STEP).fract() == 0.0 {
            let t = store.topology(now);
            for n in engine.evaluate(&store, &t, None, now) {
                match n {
                    Notice::Fired { key, .. } => {
                        *fired.entry(key.rule.as_str()).or_default() += 1;
                        let refired = resolved_at.get(&key).is_some_and(|t| now.0 - t.0 < REFIRE_NS);
                        duplicates += u64::from(refired || !firing.insert(key));
                    }
                    Notice::Resolved { key } => {
                        firing.remove(&key);
                        resolved_at.insert(key, now);
                    }
                }
            }
            // One incident under two keys: network-wide beside per-router.
            let wide: Vec<_> = firing.iter().filter(|k| k.subject == "network").map(|k| k.rule).collect();
            duplicates += firing.iter().filter(|k| k.subject != "network" && wide.contains(&k.rule)).count() as u64;
        }
        if second == 3600 && heap_at_hour.is_none() {
            heap_at_hour = Some((LIVE.load(Ordering::Relaxed), store.len()));
        }
        if second % (6 * 3600) == 0 && (k as f64 * STEP).fract() == 0.0 && second > 0 {
            eprintln!(
                "{scenario:?} at {} h: heap {:.1} MiB, {} connections",
                second / 3600,
                mib(LIVE.load(Ordering::Relaxed)),
                store.len()
            );
        }
    }
    let end = LIVE.load(Ordering::Relaxed);
    let (hour, conns_at_hour) = heap_at_hour.unwrap_or((end, store.len()));
    let fired: Vec<String> = fired.iter().map(|(r, n)| format!("{r} {n}")).collect();
    println!(
        "| {scenario:?} | {hours} h | {:.0} s | {events} | {:.1} MiB, {conns_at_hour} connections | {:.1} MiB, {} connections | {:+.2} MiB | {} | {duplicates} |",
        started.elapsed().as_secs_f64(),
        mib(hour),
        mib(end),
        store.len(),
        mib(end - hour),
        fired.join(", "),
    );
    // Where the heap is: each part's share, by dropping it.
    let before = LIVE.load(Ordering::Relaxed);
    drop(engine);
    let engine_bytes = before - LIVE.load(Ordering::Relaxed);
    let before = LIVE.load(Ordering::Relaxed);
    drop(net);
    let net_bytes = before - LIVE.load(Ordering::Relaxed);
    let before = LIVE.load(Ordering::Relaxed);
    drop(store);
    let store_bytes = before - LIVE.load(Ordering::Relaxed);
    eprintln!(
        "{scenario:?} at the end: store {:.1} MiB, alert engine {:.2} MiB, simulator {:.1} MiB",
        mib(store_bytes),
        mib(engine_bytes),
        mib(net_bytes)
    );
}
