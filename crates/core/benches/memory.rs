//! `cargo bench -p zitiscope-core --bench memory`: heap bytes per tracked
//! connection, measured with a counting allocator after applying the
//! realistic stream (see `stream.rs`); then the store's own growth on the
//! browser memory figure's stream (`bench/memory.mjs`: 50 routers, 5,000
//! identities churning), after 10k, 1M and 2M events, to tell the store's
//! growth from the wasm allocator's high-water mark.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use zitiscope_core::{parse_line, Parsed, Store};

mod stream;

struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);

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
static A: Counting = Counting;

fn main() {
    // `cargo bench` passes `--bench`; any other run (e.g. `cargo test
    // --benches`) only checks that it builds.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let events: Vec<_> = stream::Gen::new(42)
        .lines(1_000_000)
        .iter()
        .filter_map(|l| match parse_line(l) {
            Ok(Parsed::Event(e)) => Some(e),
            _ => None,
        })
        .collect();
    let before = LIVE.load(Ordering::Relaxed);
    let mut store = Store::new();
    for e in &events {
        store.apply(e);
    }
    // The dedupe window is a fixed cost, not per connection: measure it apart.
    let total = LIVE.load(Ordering::Relaxed) - before;
    let empty_before = LIVE.load(Ordering::Relaxed);
    let empty = Store::new();
    let fixed = LIVE.load(Ordering::Relaxed) - empty_before;
    drop(empty);
    let conns = store.len();
    let per_conn = (total - fixed) as f64 / conns as f64;
    println!(
        "connections: {conns}, links: {}, identities: {}",
        store.links().count(),
        store.summary().identities.total
    );
    println!("store heap: {:.1} MB (fixed dedupe window {:.1} MB)", total as f64 / 1e6, fixed as f64 / 1e6);
    println!("bytes per tracked connection (all state / connections): {per_conn:.0}");
    churn_growth();
}

/// The browser memory figure's stream (`bench/events.mjs`): 50 routers
/// online, 5,000 identities connected, then each identity in turn goes
/// `sdk-offline` and on the next round reconnects; 10 µs apart.
fn churn_growth() {
    const ROUTERS: u64 = 50;
    const IDENTITIES: u64 = 5_000;
    let t0: u64 = 1_764_590_400_000_000; // µs: 2025-12-01T12:00:00Z
    let stamp = |k: u64| {
        let us = t0 + 10 * k;
        let (s, frac) = (us / 1_000_000, us % 1_000_000);
        let (h, m, sec) = ((s / 3600) % 24, (s / 60) % 60, s % 60);
        let day = s / 86_400 - 20_423; // days after 2025-12-01
        format!("2025-12-{:02}T{h:02}:{m:02}:{sec:02}.{frac:06}000Z", 1 + day)
    };
    let line = |k: u64| -> String {
        let t = stamp(k);
        if k < ROUTERS {
            return format!(
                r#"{{"namespace":"router","timestamp":"{t}","event_src_id":"ctrl1","event_type":"router-online","router_id":"edge-{k}","router_online":true}}"#
            );
        }
        let c = k - ROUTERS;
        let i = c % IDENTITIES;
        let connect = || {
            format!(
                r#"{{"namespace":"connect","event_src_id":"ctrl1","timestamp":"{t}","src_type":"identity","dst_type":"router","src_id":"bench-{i}","src_addr":"100.64.0.1:40000","dst_id":"edge-{}","dst_addr":"10.0.0.2:3022"}}"#,
                i % ROUTERS
            )
        };
        if c < IDENTITIES || (c / IDENTITIES).is_multiple_of(2) {
            connect()
        } else {
            format!(
                r#"{{"namespace":"sdk","event_src_id":"ctrl1","timestamp":"{t}","event_type":"sdk-offline","identity_id":"bench-{i}"}}"#
            )
        }
    };
    let before = LIVE.load(Ordering::Relaxed);
    let mut store = Store::new();
    let mut k = 0;
    for upto in [10_000u64, 1_000_000, 2_000_000] {
        while k < upto {
            if let Ok(Parsed::Event(e)) = parse_line(&line(k)) {
                store.apply(&e);
            }
            k += 1;
        }
        let heap = LIVE.load(Ordering::Relaxed) - before;
        println!("churn stream, {upto} events: store heap {:.2} MB, {} connections", heap as f64 / 1e6, store.len());
    }
}
