//! The `amqp` source against a real RabbitMQ (Debian's package, run by
//! `scripts/rabbitmq.sh`), through the real binary, with events published
//! as the controller's AMQP handler publishes them: what is published
//! reaches the clients and leaves the queue; a feed killed mid-stream and
//! started again applies every event once and keeps each in its history
//! once; a broker that goes away shows the source down, the other
//! sources go on, and it recovers with nothing lost; a queue declared otherwise than the controllers do
//! is a source problem with the broker's reason.
#![cfg(feature = "amqp")]

mod common;

use common::binary::{
    core_store, get, metric, snapshot, start_binary, state_until, stored, until, until_within, BinFeed as Feed,
};
use common::rabbitmq::{channel, fresh_queue, publish, queue_state, script, url};
use common::{controller_event as event, TempDir, T0};
use std::process::Stdio;
use std::time::Duration;

/// The broker is shared, and one test stops it: one test at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// A runtime for the broker's side of a test (the publisher's connection
/// lives on it); the feed is a process, read with blocking calls.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap()
}

fn events(range: std::ops::Range<i64>) -> Vec<String> {
    range.map(event).collect()
}

fn feed(queue: &str, more: &[&str]) -> Feed {
    let url = url();
    let args =
        [&["--heartbeat-ms", "100"], more, &["amqp", "--url", &url, "--queue", queue, "--retry-ms", "100"]].concat();
    start_binary(&args, Stdio::null())
}

/// The source's entry in `/healthz`.
fn source<'a>(h: &'a serde_json::Value, queue: &str) -> &'a serde_json::Value {
    &h["sources"][format!("amqp:{queue}")]
}

/// Waits until `ok` holds of `queue`'s ready messages and consumers.
async fn queue_until(ch: &lapin::Channel, queue: &str, what: &str, ok: impl Fn(u32, u32) -> bool) -> (u32, u32) {
    let deadline = std::time::Instant::now() + common::WAIT;
    loop {
        let (ready, consumers) = queue_state(ch, queue).await;
        if ok(ready, consumers) {
            return (ready, consumers);
        }
        assert!(std::time::Instant::now() < deadline, "{what}: {ready} ready, {consumers} consumers");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[test]
fn published_events_reach_the_clients_and_bad_messages_are_counted() {
    let _one = serial();
    let rt = runtime();
    let queue = "zitiscope-test-reach";
    let (_conn, ch) = rt.block_on(fresh_queue(queue));
    let good = events(0..3_000);
    let bad = ["not json".to_owned(), "<script>alert(1)</script>".to_owned(), "{\"namespace\":".to_owned()];
    rt.block_on(publish(&ch, queue, good[..1_500].iter().cloned().chain(bad.iter().cloned())));
    let feed = feed(queue, &[]);
    rt.block_on(publish(&ch, queue, good[1_500..].iter().cloned()));
    let h = until(&feed, "every event applied", |h| source(h, queue)["events"] == 3_000 && h["events"] == 3_000);
    let s = source(&h, queue);
    assert_eq!((s["up"].as_bool(), s["rejected"].as_u64()), (Some(true), Some(3)), "{s}");
    assert!(s["last_error"].as_str().unwrap().starts_with("message "), "{s}");
    assert!(
        snapshot(&feed).state == core_store(&good.join("\n")).state(),
        "the store is what one reader of every event makes"
    );
    // Everything was acknowledged: nothing is left, and the feed consumes.
    rt.block_on(queue_until(&ch, queue, "the queue emptied", |ready, consumers| ready == 0 && consumers == 1));
    let metrics = get(&format!("{}/metrics", feed.base));
    assert!(metrics.contains(&format!("zitiscope_feed_source_up{{source=\"amqp:{queue}\"}} 1")), "{metrics}");
}

#[test]
fn a_feed_killed_mid_stream_applies_and_keeps_every_event_once() {
    let _one = serial();
    let rt = runtime();
    let queue = "zitiscope-test-kill";
    let dir = TempDir::new("amqp-kill");
    let history = dir.0.join("h.db");
    let history = history.to_str().unwrap();
    let (_conn, ch) = rt.block_on(fresh_queue(queue));
    let all = events(0..20_000);
    rt.block_on(publish(&ch, queue, all.iter().cloned()));
    // Small batches, so that the kill lands with batches published to the
    // clients but not yet written and acknowledged.
    let args = ["--history", history, "--batch-max", "100"];
    let mut first = feed(queue, &args);
    until(&first, "a part of the stream applied", |h| source(h, queue)["events"].as_u64() >= Some(3_000));
    // And a part acknowledged: the broker holds back what the feed's
    // prefetch (10,000) has not freed, so fewer ready than that means acks.
    // (Waiting on the events alone raced the writer on a loaded machine.)
    rt.block_on(queue_until(&ch, queue, "a part of the stream acknowledged", |ready, _| ready < 10_000));
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    let (left, _) = rt.block_on(queue_until(&ch, queue, "the broker saw the feed go", |_, consumers| consumers == 0));
    assert!(left > 0 && (left as usize) < all.len(), "the kill came mid-stream: {left} left");

    let second = feed(queue, &args);
    state_until(&second, &core_store(&all.join("\n")), "the state is a plain replay of everything published");
    let h = until(&second, "every event it read is in the history", |h| {
        let hist = &h["history"];
        hist["written"].as_u64().unwrap_or(0) + hist["known"].as_u64().unwrap_or(0)
            == source(h, queue)["events"].as_u64().unwrap_or(u64::MAX)
    });
    // What the first feed had not acknowledged came again, and the
    // history holds each event once.
    let read = source(&h, queue)["events"].as_u64().unwrap();
    assert!(read >= u64::from(left), "{read} events read by the second feed, {left} were left");
    assert_eq!(stored(&second, T0), all.len(), "each event stored once");
    // Its counters are its own: what it read, not the history's too.
    let applied = metric(&second, "zitiscope_feed_events_applied_total").unwrap();
    let duplicates = metric(&second, "zitiscope_feed_events_duplicate_total").unwrap();
    assert_eq!(applied + duplicates, read as f64, "{applied} applied and {duplicates} copies of {read} read");
    rt.block_on(queue_until(&ch, queue, "the queue emptied", |ready, _| ready == 0));
}

#[test]
fn a_broker_that_goes_away_is_a_source_problem_and_recovery_loses_nothing() {
    let _one = serial();
    let rt = runtime();
    let queue = "zitiscope-test-restart";
    // A second source beside it, a controller's event log, which goes on
    // while the broker is away.
    let dir = TempDir::new("amqp-restart");
    let log = dir.0.join("ctrl2.jsonl");
    std::fs::write(&log, "").unwrap();
    let other = format!("ctrl2={}", log.display());
    let (conn, ch) = rt.block_on(fresh_queue(queue));
    rt.block_on(publish(&ch, queue, events(0..500)));
    let feed = feed(queue, &["--file", &other]);
    until(&feed, "the first events", |h| source(h, queue)["events"] == 500);
    drop((ch, conn));

    script("stop");
    let h = until(&feed, "the source down", |h| source(h, queue)["up"] == false && h["status"] == "degraded");
    let reason = source(&h, queue)["reason"].as_str().unwrap().to_owned();
    assert!(!reason.is_empty() && !reason.contains("guest:guest"), "a reason, without the password: {reason}");
    let logged = events(5_000..5_100);
    std::fs::write(&log, logged.join("\n") + "\n").unwrap();
    until(&feed, "the other source read while the broker is away", |h| h["sources"]["ctrl2"]["events"] == 100);

    script("start");
    until_within(&feed, Duration::from_secs(60), "the source back", |h| source(h, queue)["up"] == true);
    let (_conn, ch) = rt.block_on(channel());
    rt.block_on(publish(&ch, queue, events(500..1_000)));
    until(&feed, "the later events", |h| source(h, queue)["events"] == 1_000);
    let arrived = [events(0..500), logged, events(500..1_000)].concat();
    assert!(snapshot(&feed).state == core_store(&arrived.join("\n")).state(), "every event of both, once");
}

#[test]
fn a_queue_declared_otherwise_than_the_controllers_do_is_refused_with_the_brokers_reason() {
    let _one = serial();
    let rt = runtime();
    let queue = "zitiscope-test-transient";
    let (_conn, ch) = rt.block_on(channel());
    let _ = rt.block_on(ch.queue_delete(queue.into(), Default::default()));
    // Not durable: the controller's handler (and so the feed) declares it durable.
    rt.block_on(ch.queue_declare(queue.into(), Default::default(), Default::default())).unwrap();
    let feed = feed(queue, &[]);
    let h = until(&feed, "the source down with the broker's reason", |h| {
        source(h, queue)["reason"].as_str().is_some_and(|r| r.contains("PRECONDITION_FAILED"))
    });
    assert_eq!(source(&h, queue)["up"], false, "{h:#}");
    rt.block_on(ch.queue_delete(queue.into(), Default::default())).unwrap();
}
