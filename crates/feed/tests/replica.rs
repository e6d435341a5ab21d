//! Replicas (`--replica`): three feed binaries on one PostgreSQL (the
//! history's and the shared log's) and one RabbitMQ queue. One leads, the
//! others follow; the leader is killed with SIGKILL mid-stream: another
//! takes over, every replica ends with the state of everything published,
//! the history holds each event once, and a client moved to another
//! replica resumes (`resume`, not `snapshot`) with no gap and no duplicate.
#![cfg(all(feature = "amqp", feature = "postgres"))]

mod common;

use common::binary::{get, health, snapshot, start_binary, state_until, stored, until_within, BinFeed as Feed};
use common::controller_event as event;
use common::postgres::Schema;
use common::rabbitmq::{fresh_queue, publish, url};
use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};
use zitiscope_core::wire::{Resume, Snapshot};
use zitiscope_core::{Event, Store, StoreConfig};

fn replica(history: &str, queue: &str) -> Feed {
    let amqp = url();
    let args = [
        "--replica",
        "--history",
        history,
        "--heartbeat-ms",
        "100",
        "--batch-max",
        "50",
        "amqp",
        "--url",
        &amqp,
        "--queue",
        queue,
        "--retry-ms",
        "100",
    ];
    start_binary(&args, Stdio::null())
}

fn role(h: &serde_json::Value) -> &str {
    h["replica"]["role"].as_str().unwrap_or("none")
}

/// What an SSE client saw, as it saw it.
#[derive(Debug)]
enum Seen {
    Snapshot(Box<Snapshot>),
    Resume(Resume),
    Batch(u64, Vec<Event>),
    /// The stream ended (its feed died).
    Closed,
}

/// Opens `/events` on `base` (after `last`, as a reconnecting EventSource
/// does) on a thread of its own; what it receives comes out of the
/// returned channel.
fn client(base: &str, last: Option<String>) -> mpsc::Receiver<Seen> {
    let (tx, rx) = mpsc::channel();
    let url = format!("{base}/events");
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let mut req = reqwest::Client::new().get(url);
            if let Some(id) = last {
                req = req.header("last-event-id", id);
            }
            let Ok(resp) = req.send().await else { return drop(tx.send(Seen::Closed)) };
            let mut stream = resp.bytes_stream().eventsource();
            while let Some(Ok(e)) = stream.next().await {
                let seen = match e.event.as_str() {
                    "snapshot" => Seen::Snapshot(Box::new(serde_json::from_str(&e.data).unwrap())),
                    "resume" => Seen::Resume(serde_json::from_str(&e.data).unwrap()),
                    "batch" => {
                        let seq = e.id.rsplit_once(':').unwrap().1.parse().unwrap();
                        Seen::Batch(seq, serde_json::from_str(&e.data).unwrap())
                    }
                    _ => continue,
                };
                if tx.send(seen).is_err() {
                    return;
                }
            }
            let _ = tx.send(Seen::Closed);
        });
    });
    rx
}

/// A client's view: the store it built and the last batch it applied.
struct View {
    store: Store,
    run: String,
    seq: u64,
}

impl View {
    /// Takes what the client saw until `done` holds or its stream ends;
    /// checks every batch follows the one before (no gap, no duplicate).
    fn read(&mut self, rx: &mpsc::Receiver<Seen>, what: &str, done: impl Fn(&View) -> bool) -> bool {
        let deadline = Instant::now() + common::WAIT;
        while !done(self) {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(Seen::Batch(seq, events)) => {
                    assert_eq!(seq, self.seq + 1, "{what}: batch {seq} after {}", self.seq);
                    events.iter().for_each(|e| drop(self.store.apply(e)));
                    self.seq = seq;
                }
                Ok(Seen::Closed) => return false,
                Ok(other) => panic!("{what}: {other:?} in the middle of a stream"),
                Err(_) => panic!("{what}: not within {:?} (at batch {})", common::WAIT, self.seq),
            }
        }
        true
    }
}

/// The first thing a client sees: a snapshot.
fn first_view(rx: &mpsc::Receiver<Seen>) -> View {
    match rx.recv_timeout(common::WAIT) {
        Ok(Seen::Snapshot(s)) => {
            View { store: Store::from_state(s.state, StoreConfig::default()), run: s.run, seq: s.seq }
        }
        other => panic!("a new client starts from a snapshot, not {other:?}"),
    }
}

#[test]
fn a_killed_leader_is_replaced_and_its_clients_resume_on_another_replica() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let queue = "zitiscope-test-replicas";
    let (_conn, ch) = rt.block_on(fresh_queue(queue));
    let schema = Schema::new("replicas");
    let mut feeds: Vec<Feed> = (0..3).map(|_| replica(&schema.url, queue)).collect();

    // One leads; the others follow.
    let leader = until_within(&feeds[0], common::WAIT, "a leader", |_| {
        feeds.iter().filter(|f| role(&health(f)) == "leader").count() == 1
    });
    drop(leader);
    let lead = feeds.iter().position(|f| role(&health(f)) == "leader").unwrap();
    let roles: Vec<String> = feeds.iter().map(|f| role(&health(f)).to_owned()).collect();
    assert_eq!(roles.iter().filter(|r| *r == "follower").count(), 2, "{roles:?}");

    // Every replica serves the same network.
    let first: Vec<String> = (0..4_000).map(event).collect();
    rt.block_on(publish(&ch, queue, first.iter().cloned()));
    let want = common::binary::core_store(&first.join("\n"));
    for f in &feeds {
        state_until(f, &want, "each replica has every event published");
    }
    let nodes: Vec<String> = feeds.iter().map(|f| get(&format!("{}/nodes", f.base))).collect();
    assert!(nodes.iter().all(|n| *n == nodes[0]), "the same /nodes everywhere");

    // A client of the leader, and one of each follower.
    let on_leader = client(&feeds[lead].base, None);
    let mut view = first_view(&on_leader);
    let others: Vec<usize> = (0..3).filter(|&i| i != lead).collect();
    let mut followers: Vec<(mpsc::Receiver<Seen>, View)> = others
        .iter()
        .map(|&i| {
            let rx = client(&feeds[i].base, None);
            let v = first_view(&rx);
            (rx, v)
        })
        .collect();
    assert!(followers.iter().all(|(_, v)| v.run == view.run), "one run id for all replicas");

    // More events, and the leader killed while it publishes them.
    let all: Vec<String> = (0..12_000).map(event).collect();
    rt.block_on(publish(&ch, queue, all[4_000..].iter().cloned()));
    let before = view.seq;
    view.read(&on_leader, "the leader's client", |v| v.seq >= before + 20);
    feeds[lead].child.kill().unwrap();
    feeds[lead].child.wait().unwrap();
    let killed = Instant::now();
    // What the client saw up to the kill.
    view.read(&on_leader, "the leader's client up to the kill", |_| false);

    // Another takes over.
    let survivors: Vec<Feed> = {
        let dead = feeds.remove(lead);
        drop(dead);
        feeds
    };
    let deadline = Instant::now() + common::WAIT;
    let new_lead = loop {
        if let Some(i) = survivors.iter().position(|f| role(&health(f)) == "leader") {
            break i;
        }
        assert!(Instant::now() < deadline, "no replica took over");
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = killed.elapsed();
    assert!(took < Duration::from_secs(10), "took over in {took:?}");
    // Its takeover completes: the log's tail, the history's backlog, the sources.
    until_within(&survivors[new_lead], common::WAIT, "the takeover completes", |h| h["replica"]["takeovers"] == 1);

    // The dead leader's client moves to the other survivor: it resumes.
    let moved_to = &survivors[1 - new_lead];
    let id = format!("{}:{}", view.run, view.seq);
    let moved = client(&moved_to.base, Some(id));
    match moved.recv_timeout(common::WAIT) {
        Ok(Seen::Resume(r)) => assert_eq!((r.run.as_str(), r.seq), (view.run.as_str(), view.seq)),
        other => panic!("a client moved to another replica resumes, not {other:?}"),
    }

    // Everything arrives everywhere, once.
    let want = common::binary::core_store(&all.join("\n"));
    for f in &survivors {
        state_until(f, &want, "each surviving replica has every event published");
    }
    let last = survivors[0].base.clone();
    let head = snapshot(&survivors[0]).seq;
    assert_eq!(snapshot(&survivors[1]).seq, head, "the same batches on both ({last})");
    assert!(view.read(&moved, "the moved client", |v| v.seq >= head), "the moved client's stream ended");
    assert!(view.store.state() == want.state(), "the moved client's state is everything published");
    for (rx, v) in &mut followers {
        if v.read(rx, "a follower's client", |v| v.seq >= head) {
            assert!(v.store.state() == want.state(), "a follower's client's state is everything published");
        }
    }
    let nodes: Vec<String> = survivors.iter().map(|f| get(&format!("{}/nodes", f.base))).collect();
    assert_eq!(nodes[0], nodes[1], "the same /nodes on both");
    assert_eq!(stored(&survivors[new_lead], i64::MIN), all.len(), "the history holds each event once");
}
