//! `cargo bench -p zitiscope-core --bench apply`: parse+apply throughput on
//! a realistic mixed stream of 1M events (300 routers, 20k identities),
//! against parse-only on the same data in the same run.

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::time::Duration;
use zitiscope_core::{parse_line, Parsed, Store};

mod stream;

const EVENTS: usize = 1_000_000;

fn bench(c: &mut Criterion) {
    let lines = stream::Gen::new(42).lines(EVENTS);
    let mut g = c.benchmark_group("stream-1M");
    g.throughput(Throughput::Elements(EVENTS as u64));
    g.sample_size(10).measurement_time(Duration::from_secs(30)).warm_up_time(Duration::from_secs(3));
    g.bench_function("parse", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for l in &lines {
                if let Ok(Parsed::Event(e)) = parse_line(l) {
                    n += black_box(&e).at.0 as usize & 1;
                }
            }
            n
        })
    });
    g.bench_function("parse+apply", |b| {
        b.iter_batched(
            Store::new,
            |mut store| {
                let mut changes = 0usize;
                for l in &lines {
                    if let Ok(Parsed::Event(e)) = parse_line(l) {
                        changes += store.apply(&e).len();
                    }
                }
                (store, changes)
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
