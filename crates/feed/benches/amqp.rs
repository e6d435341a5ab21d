//! `cargo bench -p zitiscope-feed --bench amqp`: how fast the feed takes
//! events from the controllers' AMQP queue, against its `stdin` source on
//! the same events in the same run (issue 20's benchmark).
//!
//! The events are the core's realistic stream (`crates/core/benches/
//! stream.rs`: 3 HA controllers, 300 routers, 20,000 identities), one per
//! message as the controller's AMQP handler publishes them. The queue is
//! filled before the feed starts, and the stdin source is given all its
//! lines at once, so each figure is the source's own rate: from the feed's
//! first event to its last, read from `/healthz` every 20 ms. Both run the
//! real binary (`target/release/zitiscope-feed`, which `cargo bench` does
//! not build: run `make feed` first), in alternating runs, with the
//! history off and then on (with it on, the AMQP source acknowledges a
//! batch only once the history has written it). A second baseline: a bare
//! consumer (lapin, the feed's prefetch, an ack every 1,000 messages) that
//! only counts, the ceiling that the broker and the client set on this
//! machine.
//!
//! The broker is Debian's RabbitMQ, started by `scripts/rabbitmq.sh` (and
//! left running: `scripts/rabbitmq.sh stop`).

use lapin::types::FieldTable;
use lapin::{Connection, ConnectionProperties};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;
/// The tests' broker and publisher (the same script, the same publishing
/// as the controller's); the bench uses a part of it.
#[allow(dead_code)]
#[path = "../tests/common/rabbitmq.rs"]
mod rabbitmq;
#[path = "../../core/benches/stream.rs"]
mod stream;

use common::machine;

const EVENTS: usize = 200_000;
const RUNS: usize = 3;
const QUEUE: &str = "zitiscope-bench";

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bin = root.join("target/release/zitiscope-feed");
    assert!(bin.exists(), "{} is missing: run `make feed` first", bin.display());
    let url = rabbitmq::url();
    let lines = stream::Gen::new(7).lines(EVENTS);
    let rt = tokio::runtime::Runtime::new().unwrap();
    println!("machine: {}", machine());
    println!("{} events (the core's realistic stream, HA copies included), median of {RUNS} runs", lines.len());
    let dir = std::env::temp_dir().join(format!("zitiscope-bench-amqp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut bare = Vec::new();
    for history in [false, true] {
        let (mut amqp, mut stdin) = (Vec::new(), Vec::new());
        for i in 0..RUNS {
            let db = history.then(|| dir.join(format!("h-{i}.db")));
            rt.block_on(fill(&lines));
            amqp.push(rate(&bin, db.as_deref(), Input::Amqp(&url), &lines, "a"));
            stdin.push(rate(&bin, db.map(|d| d.with_extension("stdin.db")).as_deref(), Input::Stdin, &lines, "s"));
            if !history {
                rt.block_on(fill(&lines));
                bare.push(rt.block_on(drain(&url, lines.len())));
            }
        }
        let (a, s) = (median(amqp), median(stdin));
        let label = if history { "history on" } else { "history off" };
        println!("{label}: amqp {a:.0} ev/s, stdin {s:.0} ev/s: amqp = {:.2}× stdin", a / s);
        if !history {
            let b = median(bare.clone());
            println!("  a bare consumer that only counts: {b:.0} msg/s: the feed's amqp source = {:.2}× it", a / b);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Empties the queue and publishes every line into it, as the controller
/// does; returns once the broker holds them all.
async fn fill(lines: &[String]) {
    let (conn, ch) = rabbitmq::fresh_queue(QUEUE).await;
    rabbitmq::publish(&ch, QUEUE, lines.iter().cloned()).await;
    while (rabbitmq::queue_state(&ch, QUEUE).await.0 as usize) < lines.len() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = conn.close(200, "filled".into()).await;
}

/// A consumer that only counts and acks: messages per second from the
/// first to the `n`th.
async fn drain(url: &str, n: usize) -> f64 {
    use futures_util::StreamExt;
    let conn = Connection::connect(url, ConnectionProperties::default()).await.unwrap();
    let ch = conn.create_channel().await.unwrap();
    ch.basic_qos(10_000, Default::default()).await.unwrap();
    let mut consumer =
        ch.basic_consume(QUEUE.into(), "bare".into(), Default::default(), FieldTable::default()).await.unwrap();
    let (mut k, mut t0) = (0, None);
    while let Some(d) = consumer.next().await {
        let d = d.unwrap();
        k += 1;
        let t = *t0.get_or_insert_with(Instant::now);
        if k % 1_000 == 0 || k == n {
            d.acker.ack(lapin::options::BasicAckOptions { multiple: true }).await.unwrap();
        }
        if k == n {
            let rate = (n - 1) as f64 / t.elapsed().as_secs_f64();
            eprintln!("  b: {rate:.0} msg/s");
            let _ = conn.close(200, "drained".into()).await;
            return rate;
        }
    }
    panic!("the queue ended after {k} of {n}");
}

enum Input<'a> {
    Amqp(&'a str),
    Stdin,
}

/// Events per second from the feed's first event to its last (every line
/// is an event or an HA copy; the source counts both).
fn rate(bin: &Path, db: Option<&Path>, input: Input<'_>, lines: &[String], tag: &str) -> f64 {
    let mut cmd = Command::new(bin);
    cmd.args(["--listen", "127.0.0.1:0"]);
    match db {
        Some(db) => cmd.arg("--history").arg(db),
        None => cmd.arg("--no-history"),
    };
    let source = match input {
        Input::Amqp(url) => {
            cmd.args(["amqp", "--url", url, "--queue", QUEUE]);
            if let Ok(n) = std::env::var("AMQP_PREFETCH") {
                cmd.args(["--prefetch", &n]);
            }
            format!("amqp:{QUEUE}")
        }
        Input::Stdin => {
            cmd.arg("stdin");
            "stdin".to_owned()
        }
    };
    let mut child = Feed(cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap());
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let base = line.trim().strip_prefix("zitiscope-feed listening on ").unwrap().trim_end_matches('/').to_owned();
    let mut pipe = child.0.stdin.take().unwrap();
    if matches!(input, Input::Stdin) {
        let text = lines.join("\n") + "\n";
        std::thread::spawn(move || pipe.write_all(text.as_bytes()));
    }
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let read = |h: &serde_json::Value| {
        let s = &h["sources"][&source];
        s["events"].as_u64().unwrap_or(0) + s["skipped"].as_u64().unwrap_or(0) + s["rejected"].as_u64().unwrap_or(0)
    };
    let (mut first, deadline) = (None, Instant::now() + Duration::from_secs(300));
    loop {
        let h: serde_json::Value =
            rt.block_on(async { reqwest::get(format!("{base}/healthz")).await.unwrap().json().await.unwrap() });
        let n = read(&h);
        let now = Instant::now();
        if n > 0 && first.is_none() {
            first = Some((now, n));
        }
        if n as usize >= lines.len() {
            let (t0, n0) = first.unwrap();
            let rate = (n - n0) as f64 / (now - t0).as_secs_f64().max(1e-3);
            eprintln!("  {tag}: {rate:.0} ev/s");
            return rate;
        }
        assert!(now < deadline, "{source} read {n} of {}", lines.len());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The feed, killed when dropped.
struct Feed(Child);

impl Drop for Feed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
