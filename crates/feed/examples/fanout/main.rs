//! The feed's fan-out benchmark: how long an event takes from ingest to an
//! SSE client holding it, with many clients at a high event rate, and how
//! much CPU that costs.
//!
//! ```sh
//! CARGO_TARGET_DIR=/tmp/fanout-target \
//!   cargo run --release -p zitiscope-feed --example fanout -- --clients 50 --rate 10000 --seconds 20
//! ```
//!
//! What runs, all in this one process:
//! - **the feed**, built exactly as `zitiscope_feed::run` builds it (the real
//!   [`Hub`], the real [`batcher`] behind the same bounded channel, the real
//!   axum router with its middleware), on 127.0.0.1 and a free port, on its
//!   own tokio runtime (threads named `feed`, as many workers as cores, like
//!   the binary's `#[tokio::main]`). `run()` has no way to inject events,
//!   hence the assembly here; the library is used unchanged;
//! - **a producer** standing in for a source, on its own thread (like the
//!   `stdin` source): every 1 ms it sends what is due at `--rate` events/s
//!   into the batcher's channel, each a normalised identity→router `conn`
//!   event whose `at` is the wall-clock time at ingest (ns since the epoch).
//!   It skips the JSON parsing a real source does (that is measured in
//!   `zitiscope-core`'s `apply` bench);
//! - **the clients**, on a second runtime (threads named `client`), each its
//!   own reqwest client and TCP connection to `/events`: skip the snapshot,
//!   then for every `batch` take the wall-clock time on arrival, decode it
//!   with `zitiscope_core::wire::decode_batch`, and record `arrival − at` of
//!   every event into a fixed histogram (100 µs buckets up to 10 s, so memory
//!   stays bounded at any rate and duration).
//!
//! Two runtimes, so client work does not queue behind feed tasks on the same
//! workers: they share the cores through the OS scheduler, as separate
//! processes on one box would. Both still share this box's cores: the clients'
//! decoding costs CPU a real deployment spends on other machines.
//!
//! Each run measures twice: first with 1 client (the baseline: this machine is
//! noisy, so figures are reported as a ratio to a baseline of the same run),
//! then with `--clients`. Each phase gets a fresh feed; the producer warms up
//! for `--warmup` seconds, then events stamped inside the next `--seconds`
//! are measured. CPU is the process's utime + stime (`/proc/self/stat`) over
//! that window, split by thread name (`/proc/self/task/*/stat`).
//!
//! Every client must receive every event: batch ids must be consecutive from
//! its snapshot on, and it must count exactly the events the producer stamped
//! inside the window. Gaps, `reset`s, stream errors and missing events are
//! all reported; any of them makes the exit status non-zero.

use clap::Parser;
use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;
use tokio::runtime::Runtime;
use tokio::sync::{mpsc, watch};
use zitiscope_core::wire::{decode_batch, EventId};
use zitiscope_core::{ConnKind, Event, Timestamp};
use zitiscope_feed::{Args, Assembled};

mod client;
mod stats;

use client::*;
use stats::*;

/// Fan-out benchmark of the SSE feed (see the file's header).
#[derive(Parser, Debug)]
struct Opts {
    /// SSE clients in the measured phase (the baseline always has 1).
    #[arg(long, default_value_t = 50)]
    clients: usize,
    /// Events per second into the feed.
    #[arg(long, default_value_t = 10_000)]
    rate: u64,
    /// Length of the measured window, in seconds.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Warm-up before the window, in seconds (events flow, nothing is recorded).
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    /// Distinct identities the events cycle through (each one always on the same router).
    #[arg(long, default_value_t = 10_000)]
    identities: u64,
    /// Distinct edge routers.
    #[arg(long, default_value_t = 40)]
    routers: u64,
    /// Skip the 1-client baseline phase.
    #[arg(long)]
    no_baseline: bool,
    /// A feed option, as on the feed's command line (repeatable), e.g.
    /// `--feed-arg=--batch-interval-ms=10`. The defaults are the feed's.
    #[arg(long = "feed-arg", allow_hyphen_values = true)]
    feed_args: Vec<String>,
}

/// What the producer did.
struct ProducerReport {
    sent: u64,
    in_window: u64,
    /// The longest `send` into the batcher's channel: back-pressure, or the thread preempted.
    max_send_wait: Duration,
}

/// One phase's results.
struct Phase {
    clients: usize,
    seconds: f64,
    hist: Hist,
    delivery: Hist,
    /// The slowest client's p99 (ms).
    worst_client_p99: f64,
    /// Events received inside the window, per client per second (mean).
    per_client_rate: f64,
    producer: ProducerReport,
    batches: u64,
    events: u64,
    lost: u64,
    gaps: u64,
    dups: u64,
    resets: u64,
    bad: u64,
    errors: Vec<String>,
    cpu_cores: f64,
    cpu_split: Vec<(String, f64)>,
}

/// The feed's options: its defaults (but no history file), plus `--feed-arg`s.
fn feed_args(opts: &Opts) -> Args {
    let mut argv = vec!["zitiscope-feed".to_owned(), "--listen".to_owned(), "127.0.0.1:0".to_owned()];
    if !opts.feed_args.iter().any(|a| a.starts_with("--history")) {
        argv.push("--no-history".to_owned());
    }
    argv.extend(opts.feed_args.iter().cloned());
    Args::try_parse_from(argv).unwrap_or_else(|e| e.exit())
}

/// The producer: `rate` events/s for `warmup + seconds`, in 1 ms ticks.
async fn produce(
    tx: mpsc::Sender<Event>,
    opts: ProduceOpts,
    window: (i64, i64),
    start: tokio::time::Instant,
) -> ProducerReport {
    let total = opts.warmup + opts.seconds;
    let mut tick = tokio::time::interval_at(start, Duration::from_millis(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut report = ProducerReport { sent: 0, in_window: 0, max_send_wait: Duration::ZERO };
    'run: loop {
        tick.tick().await;
        let elapsed = start.elapsed().min(total);
        let due = (u128::from(opts.rate) * elapsed.as_nanos() / 1_000_000_000) as u64;
        while report.sent < due {
            let n = report.sent;
            let ident = n % opts.identities;
            let router = ident % opts.routers;
            // Each identity alternates: connected on one pass, gone on the next.
            let up = (n / opts.identities) & 1 == 0;
            let at = wall_ns();
            let e = Event::conn(
                Timestamp(at),
                ConnKind::EdgeToRouter,
                format!("ident-{ident}"),
                format!("router-{router}"),
                up,
            )
            .via("ctrl1");
            let asked = Instant::now();
            if tx.send(e).await.is_err() {
                break 'run;
            }
            report.max_send_wait = report.max_send_wait.max(asked.elapsed());
            report.sent += 1;
            if (window.0..window.1).contains(&at) {
                report.in_window += 1;
            }
        }
        if elapsed >= total {
            break;
        }
    }
    report
}

#[derive(Clone, Copy)]
struct ProduceOpts {
    rate: u64,
    identities: u64,
    routers: u64,
    warmup: Duration,
    seconds: Duration,
}

fn phase(feed_rt: &Runtime, client_rt: &Runtime, opts: &Opts, clients: usize, tck: f64) -> Phase {
    let args = feed_args(opts);
    // The feed exactly as `zitiscope_feed::run` assembles and serves it,
    // with this producer instead of a source.
    let listener = feed_rt.block_on(TcpListener::bind("127.0.0.1:0")).expect("bind 127.0.0.1:0");
    let local = listener.local_addr().expect("an address");
    let url = format!("http://{local}/events");
    let (stop_tx, stop_rx) = watch::channel(false);
    let Assembled { hub, events: tx, batcher, app, guards: _guards, .. } = {
        let _rt = feed_rt.enter();
        zitiscope_feed::assemble(&args, local, stop_rx.clone()).expect("valid feed arguments")
    };
    let server = feed_rt.spawn(zitiscope_feed::serve(listener, app, stop_rx));

    // Clients: all connected, each with its snapshot, before any event.
    let window: Window = Arc::new(OnceLock::new());
    let ready = Arc::new(AtomicUsize::new(0));
    let (finish_tx, finish_rx) = watch::channel(None);
    let handles: Vec<_> = (0..clients)
        .map(|_| client_rt.spawn(client(url.clone(), window.clone(), ready.clone(), finish_rx.clone())))
        .collect();
    let waiting = Instant::now();
    while ready.load(Ordering::SeqCst) < clients {
        assert!(waiting.elapsed() < Duration::from_secs(30), "clients did not connect in 30 s");
        std::thread::sleep(Duration::from_millis(10));
    }

    // The producer, on its own thread like the stdin source.
    let p = ProduceOpts {
        rate: opts.rate,
        identities: opts.identities.max(1),
        routers: opts.routers.max(1),
        warmup: Duration::from_secs(opts.warmup),
        seconds: Duration::from_secs(opts.seconds),
    };
    let start_wall = wall_ns();
    let start = Instant::now();
    let t0 = start_wall + p.warmup.as_nanos() as i64;
    let t1 = t0 + p.seconds.as_nanos() as i64;
    window.set((t0, t1)).expect("set once");
    // The thread lives until the CPU is read, so its time is counted under its name.
    let (measured_tx, measured_rx) = std::sync::mpsc::channel::<()>();
    let producer = std::thread::Builder::new()
        .name("producer".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("a runtime");
            let report = rt.block_on(produce(tx, p, (t0, t1), tokio::time::Instant::from_std(start)));
            let _ = measured_rx.recv();
            report
        })
        .expect("spawn the producer");

    std::thread::sleep((start + p.warmup).saturating_duration_since(Instant::now()));
    let cpu0 = cpu_now(tck);
    let w0 = Instant::now();
    std::thread::sleep((start + p.warmup + p.seconds).saturating_duration_since(Instant::now()));
    let cpu1 = cpu_now(tck);
    let wall = w0.elapsed().as_secs_f64();
    drop(measured_tx);

    let producer = producer.join().expect("the producer does not panic");
    // The producer's sender is gone: the batcher flushes the rest and ends.
    feed_rt.block_on(batcher).expect("the batcher does not panic");
    let last = hub.seq();
    let status = hub.status();
    finish_tx.send_replace(Some((last, tokio::time::Instant::now() + Duration::from_secs(10))));
    let reports: Vec<ClientReport> = client_rt.block_on(async {
        futures_util::future::join_all(handles).await.into_iter().map(|h| h.expect("client")).collect()
    });
    drop(finish_tx);
    let _ = stop_tx.send(true);
    match feed_rt.block_on(async { tokio::time::timeout(Duration::from_secs(10), server).await }) {
        Ok(Ok(Ok(()))) => {}
        other => eprintln!("the feed did not stop cleanly: {other:?}"),
    }

    let (mut hist, mut delivery) = (Hist::new(), Hist::new());
    let mut ph = Phase {
        clients,
        seconds: p.seconds.as_secs_f64(),
        hist: Hist::new(),
        delivery: Hist::new(),
        worst_client_p99: 0.0,
        per_client_rate: 0.0,
        batches: status.seq,
        events: status.events,
        lost: 0,
        gaps: 0,
        dups: 0,
        resets: 0,
        bad: 0,
        errors: Vec::new(),
        cpu_cores: (cpu1.total - cpu0.total) / wall,
        cpu_split: Vec::new(),
        producer,
    };
    let mut received = 0;
    for (i, r) in reports.iter().enumerate() {
        hist.merge(&r.hist);
        delivery.merge(&r.delivery);
        ph.worst_client_p99 = ph.worst_client_p99.max(r.hist.quantile_ms(0.99));
        received += r.in_window;
        ph.lost += status.events.saturating_sub(r.events);
        if r.events == status.events && r.in_window != ph.producer.in_window {
            ph.errors.push(format!("client {i}: {} events in the window, {} sent", r.in_window, ph.producer.in_window));
        }
        ph.gaps += r.gaps;
        ph.dups += r.dups;
        ph.resets += r.resets;
        ph.bad += r.bad;
        if r.in_window > ph.producer.in_window || r.events > status.events {
            ph.errors.push(format!("client {i}: more events than were sent"));
        }
        if let Some(e) = &r.error {
            ph.errors.push(format!("client {i}: {e}"));
        }
    }
    ph.per_client_rate = received as f64 / clients.max(1) as f64 / ph.seconds;
    ph.hist = hist;
    ph.delivery = delivery;
    let mut other = cpu1.total - cpu0.total;
    for (name, t1) in &cpu1.by_thread {
        let used = t1 - cpu0.by_thread.get(name).copied().unwrap_or(0.0);
        if used > 0.0 {
            ph.cpu_split.push((name.clone(), used / wall));
            other -= used;
        }
    }
    if other > 0.005 * wall {
        ph.cpu_split.push(("exited threads".into(), other / wall));
    }
    ph
}

fn main() -> std::process::ExitCode {
    let opts = Opts::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = feed_args(&opts);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runtime = |name: &str| {
        tokio::runtime::Builder::new_multi_thread().thread_name(name).enable_all().build().expect("a tokio runtime")
    };
    let (feed_rt, client_rt) = (runtime("feed"), runtime("client"));
    let tck = ticks_per_second();
    println!(
        "fan-out: {} clients, {} events/s, warm-up {} s, window {} s; feed: --batch-max {} --batch-interval-ms {} \
         --client-queue {}; {cores} cores",
        opts.clients, opts.rate, opts.warmup, opts.seconds, args.batch_max, args.batch_interval_ms, args.client_queue,
    );
    let mut phases = Vec::new();
    let sizes: Vec<usize> = if opts.no_baseline { vec![opts.clients] } else { vec![1, opts.clients] };
    for n in sizes {
        println!("\nphase: {n} client(s) …");
        let ph = phase(&feed_rt, &client_rt, &opts, n, tck);
        let split: Vec<String> = ph.cpu_split.iter().map(|(n, c)| format!("{n} {c:.2}")).collect();
        println!(
            "  produced {} events ({} in the window, {:.0}/s; longest send {:.1} ms); {} batches, {:.0} events/batch",
            ph.producer.sent,
            ph.producer.in_window,
            ph.producer.in_window as f64 / ph.seconds,
            ph.producer.max_send_wait.as_secs_f64() * 1e3,
            ph.batches,
            ph.events as f64 / ph.batches.max(1) as f64,
        );
        println!(
            "  latency ms: p50 {:.1}, p90 {:.1}, p99 {:.1}, p99.9 {:.1}, max {:.1}; worst client's p99 {:.1}",
            ph.hist.quantile_ms(0.50),
            ph.hist.quantile_ms(0.90),
            ph.hist.quantile_ms(0.99),
            ph.hist.quantile_ms(0.999),
            ph.hist.max_ms(),
            ph.worst_client_p99,
        );
        println!(
            "  per batch, arrival − its newest event (delivery after the flush) ms: p50 {:.1}, p99 {:.1}, max {:.1}",
            ph.delivery.quantile_ms(0.50),
            ph.delivery.quantile_ms(0.99),
            ph.delivery.max_ms(),
        );
        println!("  CPU: {:.2} cores of {cores} ({})", ph.cpu_cores, split.join(", "));
        println!(
            "  lost events {}, batch gaps {}, duplicates {}, resets {}, undecodable {}",
            ph.lost, ph.gaps, ph.dups, ph.resets, ph.bad
        );
        for e in ph.errors.iter().take(10) {
            println!("  ! {e}");
        }
        phases.push(ph);
    }

    println!();
    println!(
        "| clients | events/s per client | p50 ms | p99 ms | max ms | CPU cores (of {cores}) | events lost | resets |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for ph in &phases {
        println!(
            "| {} | {:.0} | {:.1} | {:.1} | {:.1} | {:.2} | {} | {} |",
            ph.clients,
            ph.per_client_rate,
            ph.hist.quantile_ms(0.50),
            ph.hist.quantile_ms(0.99),
            ph.hist.max_ms(),
            ph.cpu_cores,
            ph.lost,
            ph.resets
        );
    }
    if let [base, fan] = phases.as_slice() {
        println!(
            "\nratio {} clients / 1 client: p50 {:.2}, p99 {:.2}",
            fan.clients,
            fan.hist.quantile_ms(0.50) / base.hist.quantile_ms(0.50),
            fan.hist.quantile_ms(0.99) / base.hist.quantile_ms(0.99)
        );
    }
    let fan = phases.last().expect("at least one phase");
    let p99 = fan.hist.quantile_ms(0.99);
    println!("goal p99 ≤ 50 ms with {} clients: {}", fan.clients, if p99 <= 50.0 { "met" } else { "MISSED" });
    let failed = phases.iter().any(|p| p.lost + p.gaps + p.dups + p.resets + p.bad > 0 || !p.errors.is_empty());
    if failed {
        println!("FAILED: a client missed events (see above)");
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}
