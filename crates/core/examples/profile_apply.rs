//! Profiling harness: parse and apply 100k lines of the benchmark stream once,
//! for `valgrind --tool=callgrind` (see BENCHMARKS.md).

#[path = "../benches/stream.rs"]
mod stream;
use zitiscope_core::{parse_line, Parsed, Store};
fn main() {
    let lines = stream::Gen::new(42).lines(100_000);
    let mut store = Store::new();
    let mut n = 0;
    for l in &lines {
        if let Ok(Parsed::Event(e)) = parse_line(l) {
            n += store.apply(&e).len();
        }
    }
    println!("{n} {}", store.len());
}
