//! The NOC's shared alert state through the real server, on SQLite and on
//! PostgreSQL: acks and silences are checked, kept, pushed to every stream
//! as `ops` at once, and still there after a restart; maintenance windows
//! made over HTTP are pushed too; nothing is kept without the token or
//! half-way.

mod common;

use common::history::*;
use common::{start, TempDir, WAIT};
use eventsource_stream::Eventsource;
use futures_util::{Stream, StreamExt};
use std::pin::Pin;
use zitiscope_core::ops::Ops;

on_both!(acks_and_silences_are_checked_kept_pushed_and_survive_a_restart);

const TOKEN: &str = "ops-token-0123456789abcdef";

type Events = Pin<Box<dyn Stream<Item = Result<eventsource_stream::Event, String>> + Send>>;

async fn subscribe(base: &str) -> Events {
    let resp = reqwest::Client::new().get(format!("{base}/events")).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    Box::pin(resp.bytes_stream().eventsource().map(|e| e.map_err(|e| e.to_string())))
}

/// The next `ops` message that `until` accepts (earlier ones and other
/// messages are passed over).
async fn ops_until(events: &mut Events, what: &str, until: impl Fn(&Ops) -> bool) -> Ops {
    let wait = async {
        while let Some(e) = events.next().await {
            let e = e.expect("well-formed SSE");
            if e.event == zitiscope_core::wire::OPS {
                let ops: Ops = serde_json::from_str(&e.data).expect("ops parse");
                if until(&ops) {
                    return ops;
                }
            }
        }
        panic!("the stream ended before {what}");
    };
    tokio::time::timeout(WAIT, wait).await.unwrap_or_else(|_| panic!("no ops message with {what}"))
}

/// The wall clock (the feed's clock, on this machine).
fn wall() -> zitiscope_core::Timestamp {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    zitiscope_core::Timestamp(since.as_nanos() as i64)
}

async fn send(req: reqwest::RequestBuilder) -> (u16, serde_json::Value) {
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(serde_json::Value::Null))
}

async fn acks_and_silences_are_checked_kept_pushed_and_survive_a_restart(backend: Backend) {
    let dir = TempDir::new(&format!("ops-{backend:?}"));
    let db = Db::new(backend, &dir, "ops");
    let path = dir.0.join("events.jsonl");
    log(&path, 0..300);
    let log_path = path.to_str().unwrap().to_owned();
    let args = ["--token", TOKEN, "--history", db.arg(), "--batch-interval-ms", "5", "file", &log_path, "--from-start"];
    let first = start(&args).await;
    let http = reqwest::Client::new();
    let base = first.base.clone();
    let post = |path: &str, body: &str| http.post(format!("{base}{path}")).bearer_auth(TOKEN).body(body.to_owned());
    let mut events = subscribe(&first.base).await;
    ops_until(&mut events, "the first state", |ops| ops.acks.is_empty()).await;

    // Without the token: refused, nothing kept.
    let good = r#"{"rule":"router-down","subject":"edge-4","by":"ana","comment":"<b>swapping</b> the PSU\nback at 3"}"#;
    let bare = http.post(format!("{base}/acks")).body(good).send().await.unwrap();
    assert_eq!(bare.status(), 401);
    // Kept once edge-4 is known (the file is read meanwhile).
    let deadline = std::time::Instant::now() + WAIT;
    let made = loop {
        let (status, made) = send(post("/acks", good)).await;
        if status == 201 {
            break made;
        }
        assert!(std::time::Instant::now() < deadline, "{status} {made}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let id = made["id"].as_i64().unwrap();
    let pushed = ops_until(&mut events, "the ack", |ops| !ops.acks.is_empty()).await;
    assert_eq!(pushed.acks.len(), 1);
    let ack = &pushed.acks[0];
    assert_eq!((ack.id, ack.by.as_str(), ack.key.subject.as_str()), (id, "ana", "edge-4"));
    assert_eq!(ack.comment, "<b>swapping</b> the PSU\nback at 3", "kept as it was said: text, never markup");

    // Bad requests: each refused with its reason, none kept.
    let long = format!(r#"{{"rule":"router-down","subject":"edge-4","by":"ana","comment":"{}"}}"#, "x".repeat(1_001));
    for (body, why) in [
        (r#"{"rule":"router-down","subject":"edge-99","by":"ana"}"#.to_owned(), "\"edge-99\""),
        (r#"{"rule":"router-down","subject":"edge-4","by":"ana\u001b[31m"}"#.to_owned(), "control characters"),
        (r#"{"rule":"router-down","subject":"edge-4","by":" "}"#.to_owned(), "by: must not be empty"),
        (long, "comment: at most"),
        (r#"{"rule":"router-down","subject":"edge-4","by":"ana","extra":1}"#.to_owned(), "not an ack"),
        (r#"{"rule":"no-such-rule","subject":"edge-4","by":"ana"}"#.to_owned(), "not an ack"),
    ] {
        let (status, answer) = send(post("/acks", &body)).await;
        assert_eq!(status, 400, "{body}");
        assert!(answer["error"].as_str().unwrap().contains(why), "{body}: {answer}");
    }
    for (body, why) in [
        (r#"{"subject":"edge-4","minutes":0,"by":"ana"}"#, "minutes"),
        (r#"{"minutes":60,"by":"ana"}"#, "a rule, a subject or both"),
        (r#"{"subject":"ghost","minutes":60,"by":"ana"}"#, "ghost"),
    ] {
        let (status, answer) = send(post("/silences", body)).await;
        assert_eq!(status, 400, "{body}");
        assert!(answer["error"].as_str().unwrap().contains(why), "{body}: {answer}");
    }

    // A silence, pushed; ended, pushed again (kept, ending now).
    let (status, silence) = send(post("/silences", r#"{"subject":"edge-4","minutes":60,"by":"bo"}"#)).await;
    assert_eq!(status, 201, "{silence}");
    let sid = silence["id"].as_i64().unwrap();
    let pushed = ops_until(&mut events, "the silence", |ops| !ops.silences.is_empty()).await;
    let now = wall();
    assert!(pushed.silence_for(&ack.key, now).is_some(), "it covers edge-4's alert now");
    let end = |n: i64| http.delete(format!("{base}/silences/{n}")).bearer_auth(TOKEN).send();
    assert_eq!(end(sid).await.unwrap().status(), 204);
    let ended = ops_until(&mut events, "the silence ended", |ops| {
        ops.silences.len() == 1 && ops.silence_for(&ack.key, wall()).is_none()
    })
    .await;
    let sid = ended.silences[0].id;
    assert_eq!(end(sid).await.unwrap().status(), 404, "no silence in force");

    // A maintenance window made over HTTP is pushed with its spans.
    let (from, to) = (now.0 - 60_000_000_000, now.0 + 3_600_000_000_000);
    let window = format!(
        r#"{{"name":"psu swap","when":{{"kind":"once","from":{from},"to":{to}}},"scope":{{"nodes":["edge-4"]}}}}"#
    );
    let (status, answer) = send(post("/maintenance", &window)).await;
    assert_eq!(status, 201, "{answer}");
    let pushed = ops_until(&mut events, "the window", |ops| !ops.windows.is_empty()).await;
    assert_eq!(pushed.windows[0].name, "psu swap");
    assert!(pushed.holding(wall()).count() == 1, "{:?}", pushed.windows);
    assert_eq!(pushed.acks.len(), 1, "the refused requests kept nothing");
    drop(events);
    stop(first).await;

    // After a restart, the same state, first thing on a new stream.
    let second = start(&args).await;
    let mut events = subscribe(&second.base).await;
    let after = ops_until(&mut events, "the kept state", |ops| !ops.acks.is_empty()).await;
    assert_eq!(after.acks, pushed.acks);
    assert_eq!(after.silences, pushed.silences);
    assert_eq!(after.windows, pushed.windows);
    stop(second).await;
}
