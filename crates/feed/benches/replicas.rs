//! `cargo bench -p zitiscope-feed --bench replicas`: three `--replica`
//! feeds × 200 SSE clients each at 10,000 events/s, against one feed with
//! 50 clients at the same rate, in the same run (issue 20's benchmark);
//! then the leader killed with SIGKILL halfway: how long until another
//! leads and publishes, and whether anything was lost or doubled.
//!
//! Events go into a RabbitMQ queue as the controller's AMQP handler sends
//! them, each stamped with the time it is published, so a client's delay
//! is its receive time less the stamp of a batch's first event (one sample
//! a batch a client). Every feed is the real binary
//! (`target/release/zitiscope-feed`: run `make feed` first) with its
//! history in the tests' PostgreSQL (`scripts/postgres.sh`, a schema of
//! its own a run); the broker is the tests' (`scripts/rabbitmq.sh`). Both
//! are left running.
//!
//! A client that gets `reset` (it fell more than `--client-queue` batches
//! behind) or whose replica dies reconnects, with its `Last-Event-ID`, to
//! the next replica, as a browser behind a load balancer does; each
//! reconnect counts as a `resume` or a `snapshot`, and every batch's
//! number must follow the one before (a gap or a repeat is counted).
//!
//! `REPLICA_RATE`, `REPLICA_CLIENTS`, `BASE_CLIENTS` and `REPLICA_SECS`
//! change the rate, the clients per replica, the baseline's clients and
//! each phase's length (defaults 10000, 200, 50, 20).

use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;
#[allow(dead_code)]
#[path = "../tests/common/postgres.rs"]
mod pg;
#[allow(dead_code)]
#[path = "../tests/common/rabbitmq.rs"]
mod rabbitmq;

use common::machine;

const QUEUE: &str = "zitiscope-bench-replicas";

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bin = root.join("target/release/zitiscope-feed");
    assert!(bin.exists(), "{} is missing: run `make feed` first", bin.display());
    let (rate, per_replica, base_clients, secs) =
        (env("REPLICA_RATE", 10_000), env("REPLICA_CLIENTS", 200), env("BASE_CLIENTS", 50), env("REPLICA_SECS", 20));
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    println!("machine: {}", machine());
    println!(
        "{rate} events/s for {secs} s a phase; one feed × {base_clients} clients, then 3 replicas × {per_replica}"
    );

    // The baseline: one feed, its history in PostgreSQL too.
    let schema = pg::Schema::new("bench_one");
    let one = vec![feed(&bin, &schema.url, false)];
    let base = rt.block_on(phase(&one, base_clients, rate, secs, None));
    drop(one);
    base.print("one feed");

    // Three replicas; the leader killed halfway.
    let schema = pg::Schema::new("bench_replicas");
    let mut three: Vec<Feed> = (0..3).map(|_| feed(&bin, &schema.url, true)).collect();
    let leader = wait_for_leader(&three);
    let rep = rt.block_on(phase(&three, per_replica, rate, secs, Some(leader)));
    rep.print("3 replicas");
    println!(
        "delivery p99: 3 replicas × {per_replica} = {:.2}× one feed × {base_clients}",
        rep.p99_ms() / base.p99_ms().max(1e-3)
    );
    if let Some(took) = rep.takeover {
        println!("takeover: {:.0} ms from SIGKILL to the next batch published", took.as_secs_f64() * 1e3);
    }
    // Lost or doubled: every event published is in the history once, and
    // the survivors agree.
    let survivors: Vec<&Feed> = three.iter().filter(|f| f.alive()).collect();
    let stored = settle(&schema, rep.published);
    let seqs: Vec<u64> = survivors.iter().map(|f| f.health()["seq"].as_u64().unwrap_or(0)).collect();
    // Each message is one event; the history holds each event once (its
    // key), so fewer rows than messages is a loss.
    println!(
        "published {}, in the history {stored} (lost {}), survivors at batches {seqs:?}",
        rep.published,
        rep.published.saturating_sub(stored)
    );
    if stored < rep.published {
        for f in &survivors {
            let h = f.health();
            println!("  survivor: role {}, sources {}, history {}", h["replica"]["role"], h["sources"], h["history"]);
        }
    }
    three.clear();
}

/// What one phase measured.
struct Phase {
    /// The delays of the batches whose events were published away from a
    /// takeover (all of them when there was none), in µs…
    delays_us: Vec<u64>,
    /// …and of those published from a second before the kill to 2 s after
    /// the takeover.
    around_us: Vec<u64>,
    published: u64,
    gaps: u64,
    repeats: u64,
    resumes: u64,
    snapshots: u64,
    resets: u64,
    takeover: Option<Duration>,
}

impl Phase {
    fn p(&self, q: f64) -> f64 {
        let mut v = self.delays_us.clone();
        v.sort_unstable();
        v.get(((v.len() as f64 - 1.0) * q) as usize).map_or(0.0, |&us| us as f64 / 1e3)
    }

    fn p99_ms(&self) -> f64 {
        self.p(0.99)
    }

    fn print(&self, what: &str) {
        let mut around = self.around_us.clone();
        around.sort_unstable();
        let worst = around.last().map_or(String::new(), |&us| {
            format!(" (around the takeover: {} samples, max {:.0} ms)", around.len(), us as f64 / 1e3)
        });
        println!(
            "{what}: {} samples, delay p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms{worst}; gaps {}, repeats {}, \
             resets {}, reconnects: {} resume, {} snapshot",
            self.delays_us.len(),
            self.p(0.5),
            self.p(0.99),
            self.p(1.0),
            self.gaps,
            self.repeats,
            self.resets,
            self.resumes,
            self.snapshots
        );
    }
}

/// One phase: `clients` on each feed, `rate` events/s for `secs`; with
/// `kill`, that feed is killed halfway.
async fn phase(feeds: &[Feed], clients: u64, rate: u64, secs: u64, kill: Option<usize>) -> Phase {
    let (_conn, ch) = rabbitmq::fresh_queue(QUEUE).await;
    let bases: Arc<Vec<String>> = Arc::new(feeds.iter().map(|f| f.base.clone()).collect());
    let shared = Arc::new(Shared::default());
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut tasks = Vec::new();
    for (i, _) in feeds.iter().enumerate() {
        for _ in 0..clients {
            tasks.push(tokio::spawn(client(bases.clone(), i, shared.clone(), stop.clone())));
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    shared.delays.lock().unwrap().clear();
    let start = Instant::now();
    let mut published = 0u64;
    let mut takeover = None;
    let mut window = None;
    let mut killed = false;
    while start.elapsed() < Duration::from_secs(secs) {
        let due = (start.elapsed().as_secs_f64() * rate as f64) as u64;
        let bodies: Vec<String> = (published..due).map(event).collect();
        published = due;
        rabbitmq::publish(&ch, QUEUE, bodies).await;
        if let (Some(k), false) = (kill, killed) {
            if start.elapsed() >= Duration::from_secs(secs / 2) {
                killed = true;
                let at_kill = feeds[k].health()["seq"].as_u64().unwrap_or(0);
                feeds[k].kill();
                let t = Instant::now();
                let others: Vec<&Feed> = feeds.iter().filter(|f| f.alive()).collect();
                let deadline = t + Duration::from_secs(60);
                // Until a survivor leads and has published past the kill.
                while !others.iter().any(|f| {
                    let h = f.health();
                    h["replica"]["role"] == "leader" && h["seq"].as_u64() > Some(at_kill)
                }) {
                    assert!(Instant::now() < deadline, "no replica took over within 60 s");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                takeover = Some(t.elapsed());
                // From a second before the kill: what the dead leader had taken
                // but not acknowledged comes again after the takeover.
                let from = now_ns() - t.elapsed().as_nanos() as u64 - 1_000_000_000;
                window = Some((from, now_ns() + 2_000_000_000));
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.abort();
    }
    let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
    let delays = std::mem::take(&mut *shared.delays.lock().unwrap());
    let around = |at: u64| window.is_some_and(|(from, to)| at >= from && at <= to);
    let (around_us, delays_us) = delays.into_iter().partition::<Vec<_>, _>(|(at, _)| around(*at));
    Phase {
        delays_us: delays_us.into_iter().map(|(_, d)| d).collect(),
        around_us: around_us.into_iter().map(|(_, d)| d).collect(),
        published,
        gaps: n(&shared.gaps),
        repeats: n(&shared.repeats),
        resumes: n(&shared.resumes),
        snapshots: n(&shared.snapshots),
        resets: n(&shared.resets),
        takeover,
    }
}

#[derive(Default)]
struct Shared {
    /// `(the batch's first event's time, its delay in µs)`.
    delays: Mutex<Vec<(u64, u64)>>,
    gaps: AtomicU64,
    repeats: AtomicU64,
    resumes: AtomicU64,
    snapshots: AtomicU64,
    resets: AtomicU64,
}

/// An SSE client of feed `at`: records each batch's delay, checks the
/// numbers follow, and reconnects to the next feed with its last id when
/// its stream ends.
async fn client(bases: Arc<Vec<String>>, mut at: usize, shared: Arc<Shared>, stop: Arc<std::sync::atomic::AtomicBool>) {
    let http = reqwest::Client::new();
    let (mut last, mut first) = (None::<(String, u64)>, true);
    while !stop.load(Ordering::Relaxed) {
        let mut req = http.get(format!("{}/events", bases[at]));
        if let Some((run, seq)) = &last {
            req = req.header("last-event-id", format!("{run}:{seq}"));
        }
        if let Ok(resp) = req.send().await {
            let mut stream = resp.bytes_stream().eventsource();
            let mut mine = Vec::new();
            while let Some(Ok(e)) = stream.next().await {
                match e.event.as_str() {
                    "snapshot" => {
                        if !first {
                            shared.snapshots.fetch_add(1, Ordering::Relaxed);
                        }
                        let (run, seq) = e.id.rsplit_once(':').unwrap();
                        last = Some((run.to_owned(), seq.parse().unwrap()));
                    }
                    "resume" => {
                        shared.resumes.fetch_add(1, Ordering::Relaxed);
                    }
                    "batch" => {
                        let now = now_ns();
                        let (run, seq) = e.id.rsplit_once(':').unwrap();
                        let seq: u64 = seq.parse().unwrap();
                        if let Some((_, prev)) = &last {
                            if seq <= *prev {
                                shared.repeats.fetch_add(1, Ordering::Relaxed);
                            } else if seq > prev + 1 {
                                shared.gaps.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        last = Some((run.to_owned(), seq));
                        if let Some(at) = first_at(&e.data) {
                            mine.push((at, now.saturating_sub(at) / 1_000));
                        }
                    }
                    "reset" => {
                        shared.resets.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {}
                }
                if mine.len() >= 256 {
                    shared.delays.lock().unwrap().append(&mut mine);
                }
            }
            shared.delays.lock().unwrap().append(&mut mine);
        }
        first = false;
        at = (at + 1) % bases.len();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The first event's time in a batch's JSON (`"at":<ns>`), read without
/// parsing the batch: the clients are many and the machine has two cores.
fn first_at(data: &str) -> Option<u64> {
    let rest = &data[data.find("\"at\":")? + 5..];
    let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    rest[..end].parse().ok()
}

fn now_ns() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
}

/// Event `k`, stamped now, in the controller's shapes: 300 routers come
/// online, then identities connect to them (20,000 of them, over and
/// over), and every 10th event a router goes offline or comes back.
fn event(k: u64) -> String {
    let ts = zitiscope_core::Timestamp(now_ns() as i64).to_rfc3339();
    let r = k % 300;
    if k < 300 || k.is_multiple_of(10) {
        let online = k < 300 || k.is_multiple_of(20);
        let kind = if online { "router-online" } else { "router-offline" };
        return format!(
            r#"{{"namespace":"router","timestamp":"{ts}","event_src_id":"ctrl1","event_type":"{kind}","router_id":"edge-{r}","router_online":{online}}}"#
        );
    }
    format!(
        r#"{{"namespace":"connect","event_src_id":"ctrl1","timestamp":"{ts}","src_type":"identity","dst_type":"router","src_id":"id-{}","src_addr":"100.64.0.1:1","dst_id":"edge-{r}","dst_addr":"10.0.0.2:3022"}}"#,
        k % 20_000
    )
}

/// Waits until the history holds `published` events (or stops growing);
/// returns what it holds.
fn settle(schema: &pg::Schema, published: u64) -> u64 {
    let count = || pg::query(&schema.url, "SELECT COUNT(*) FROM events")[0].parse::<u64>().unwrap_or(0);
    let (mut last, mut since) = (count(), Instant::now());
    while last < published && since.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(500));
        let now = count();
        if now != last {
            (last, since) = (now, Instant::now());
        }
    }
    last
}

/// A feed binary, killed when dropped.
struct Feed {
    child: Mutex<Option<Child>>,
    base: String,
}

impl Feed {
    fn health(&self) -> serde_json::Value {
        let url = format!("{}/healthz", self.base);
        std::thread::scope(|s| {
            s.spawn(|| {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async { reqwest::get(url).await.ok()?.json().await.ok() })
            })
            .join()
            .unwrap()
        })
        .unwrap_or_default()
    }

    fn kill(&self) {
        if let Some(mut c) = self.child.lock().unwrap().take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn alive(&self) -> bool {
        self.child.lock().unwrap().is_some()
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.kill();
    }
}

fn feed(bin: &Path, history: &str, replica: bool) -> Feed {
    let url = rabbitmq::url();
    let mut cmd = Command::new(bin);
    cmd.args(["--listen", "127.0.0.1:0", "--history", history]);
    if replica {
        cmd.arg("--replica");
    }
    cmd.args(["amqp", "--url", &url, "--queue", QUEUE]);
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let base = line.trim().strip_prefix("zitiscope-feed listening on ").unwrap().trim_end_matches('/').to_owned();
    Feed { child: Mutex::new(Some(child)), base }
}

/// The feed that leads, once one does.
fn wait_for_leader(feeds: &[Feed]) -> usize {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(i) = (0..feeds.len()).find(|&i| feeds[i].health()["replica"]["role"] == "leader") {
            return i;
        }
        assert!(Instant::now() < deadline, "no leader within 30 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}
