//! Automation hooks against real local servers and a real command:
//! delivery, retry, giving up, dropping when full, and never blocking ingest.

mod common;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use common::{TempDir, WAIT};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use zitiscope_core::dispatch::Filter;
use zitiscope_core::{ConnKind, Event, Timestamp};
use zitiscope_feed::hooks::{self, HookSpec, HookStats};
use zitiscope_feed::hub::Hub;

/// A webhook receiver that fails the first `failures` requests with 500.
#[derive(Clone, Default)]
struct Receiver {
    failures: usize,
    calls: Arc<AtomicUsize>,
    bodies: Arc<Mutex<Vec<serde_json::Value>>>,
}

async fn receive(State(r): State<Receiver>, body: String) -> StatusCode {
    let n = r.calls.fetch_add(1, Ordering::SeqCst);
    r.bodies.lock().unwrap().push(serde_json::from_str(&body).expect("a JSON body"));
    if n < r.failures {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

async fn serve(r: Receiver) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let app = Router::new().route("/hook", post(receive)).with_state(r);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn spec(name: &str, when: Filter) -> HookSpec {
    HookSpec {
        name: name.into(),
        when,
        url: None,
        command: None,
        timeout_ms: 2_000,
        retries: 3,
        queue: 16,
        backoff_ms: 10,
    }
}

fn routers_down() -> Filter {
    Filter { kinds: vec![ConnKind::RouterToCtrl], up: Some(false), ..Default::default() }
}

fn conn(at: i64, kind: ConnKind, src: &str, dst: &str, up: bool) -> Event {
    Event::conn(Timestamp(at), kind, src, dst, up).via("ctrl1")
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn get(c: &std::sync::atomic::AtomicU64) -> u64 {
    c.load(Ordering::SeqCst)
}

#[tokio::test]
async fn a_webhook_gets_matching_changes_and_is_retried_until_it_accepts() {
    let receiver = Receiver { failures: 2, ..Default::default() };
    let url = serve(receiver.clone()).await;
    let hub = Hub::new(16, 16);
    let hook = hooks::start(HookSpec { url: Some(url), ..spec("router-down", routers_down()) }, &hub);

    hub.publish(vec![conn(1, ConnKind::RouterToCtrl, "edge-eu-1", "ctrl1", true)]);
    hub.publish(vec![conn(2, ConnKind::EdgeToRouter, "laptop-1", "edge-eu-1", false)]);
    hub.publish(vec![conn(3, ConnKind::RouterToCtrl, "edge-eu-1", "ctrl1", false)]);
    let stats: &HookStats = &hook.stats;
    until("delivery", || get(&stats.delivered) == 1).await;
    assert_eq!((get(&stats.retries), get(&stats.failed), get(&stats.dropped)), (2, 0, 0));
    let bodies = receiver.bodies.lock().unwrap().clone();
    assert_eq!(bodies.len(), 3, "two failures, then success");
    assert!(bodies.iter().all(|b| b == &bodies[0]), "the same change each time");
    let b = &bodies[0];
    assert_eq!(b["hook"], "router-down");
    assert_eq!(b["feed"], hub.feed.as_str());
    assert_eq!(b["change"]["conn"]["key"]["src"], "edge-eu-1", "{b}");
    assert_eq!(b["label"]["state"], "disconnected", "{b}");

    let metrics = zitiscope_feed::metrics::render(&hub, None);
    assert!(metrics.contains("zitiscope_feed_hook_delivered_total{hook=\"router-down\"} 1"), "{metrics}");
    assert!(metrics.contains("zitiscope_feed_hook_retries_total{hook=\"router-down\"} 2"), "{metrics}");
}

#[tokio::test]
async fn a_webhook_that_keeps_failing_is_given_up_on_and_counted() {
    let receiver = Receiver { failures: usize::MAX, ..Default::default() };
    let url = serve(receiver.clone()).await;
    let hub = Hub::new(16, 16);
    let hook = hooks::start(HookSpec { url: Some(url), retries: 1, ..spec("doomed", routers_down()) }, &hub);
    hub.publish(vec![conn(1, ConnKind::RouterToCtrl, "r1", "ctrl1", false)]);
    until("giving up", || get(&hook.stats.failed) == 1).await;
    assert_eq!((get(&hook.stats.retries), get(&hook.stats.delivered)), (1, 0));
    assert_eq!(receiver.calls.load(Ordering::SeqCst), 2, "one attempt and one retry");
}

#[tokio::test]
async fn a_command_gets_the_change_as_json_on_stdin() {
    let dir = TempDir::new("hook-command");
    let out = dir.0.join("changes.jsonl");
    let script = format!("cat >> '{}'; echo >> '{}'", out.display(), out.display());
    let hub = Hub::new(16, 16);
    let hook = hooks::start(
        HookSpec { command: Some(vec!["sh".into(), "-c".into(), script]), ..spec("script", Filter::default()) },
        &hub,
    );
    hub.publish(vec![conn(1, ConnKind::RouterToCtrl, "edge-us-2", "ctrl1", true)]);
    until("the command", || get(&hook.stats.delivered) == 1).await;
    let text = std::fs::read_to_string(&out).unwrap();
    let v: serde_json::Value = serde_json::from_str(text.trim()).expect("one JSON object");
    assert_eq!(v["change"]["conn"]["key"]["src"], "edge-us-2");

    let failing = hooks::start(
        HookSpec {
            command: Some(vec!["sh".into(), "-c".into(), "exit 3".into()]),
            retries: 0,
            ..spec("fails", Filter::default())
        },
        &hub,
    );
    hub.publish(vec![conn(2, ConnKind::RouterToCtrl, "edge-us-2", "ctrl1", false)]);
    until("the failing command", || get(&failing.stats.failed) == 1).await;
}

/// A hook whose endpoint never answers cannot slow ingest: its queue fills
/// and further changes are dropped and counted, while publishing goes on.
#[tokio::test]
async fn a_stuck_hook_never_blocks_ingest() {
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", silent.local_addr().unwrap());
    // Accept connections and never answer.
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            held.push(s);
        }
    });
    let hub = Hub::new(16, 16);
    let hook = hooks::start(
        HookSpec { url: Some(url), timeout_ms: 60_000, queue: 2, ..spec("stuck", Filter::default()) },
        &hub,
    );
    for i in 0..50 {
        hub.publish(vec![conn(i, ConnKind::RouterToCtrl, &format!("r{i}"), "ctrl1", true)]);
    }
    assert_eq!(hub.seq(), 50, "every batch published");
    let dropped = get(&hook.stats.dropped);
    assert!((47..=48).contains(&dropped), "1 in flight at most, 2 queued, the rest dropped: {dropped}");
    assert_eq!(get(&hook.stats.delivered), 0);
}
