//! `cargo bench -p zitiscope-core --bench memory`: heap bytes per tracked
//! connection, measured with a counting allocator after applying the
//! realistic stream (see `stream.rs`).

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
}
