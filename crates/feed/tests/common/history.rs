//! What the history's HTTP tests share (`history.rs`, `report.rs`): the
//! test log, paging through the endpoints, and running each test on
//! SQLite and on PostgreSQL ([`on_both!`]).

use super::{start, Feed, TempDir, WAIT};
use std::path::Path;
use std::time::Instant;

pub use super::T0;

/// Controller event `k` of the test log: `k` ms after T0. Routers edge-0..9
/// come online first; then identities connect, and every 7th event router
/// `edge-(k mod 10)` goes offline.
pub fn line(k: i64) -> String {
    let ts = zitiscope_core::Timestamp(T0 + k * 1_000_000).to_rfc3339();
    if k < 10 {
        return format!(
            r#"{{"namespace":"router","timestamp":"{ts}","event_src_id":"ctrl1","event_type":"router-online","router_id":"edge-{k}","router_online":true}}"#
        );
    }
    if k % 7 == 0 {
        return format!(
            r#"{{"namespace":"router","timestamp":"{ts}","event_src_id":"ctrl1","event_type":"router-offline","router_id":"edge-{}","router_online":false}}"#,
            k % 10
        );
    }
    format!(
        r#"{{"namespace":"connect","event_src_id":"ctrl1","timestamp":"{ts}","src_type":"identity","dst_type":"router","src_id":"laptop-{k}","src_addr":"100.64.0.1:1","dst_id":"edge-{}","dst_addr":"10.0.0.2:3022"}}"#,
        k % 10
    )
}

pub fn log(path: &Path, range: std::ops::Range<i64>) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
    for k in range {
        writeln!(f, "{}", line(k)).unwrap();
    }
}

pub async fn json(url: String) -> (u16, serde_json::Value) {
    let r = reqwest::get(url).await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// Waits until the history has taken `n` events (new or already known).
pub async fn settled(feed: &Feed, n: u64) -> serde_json::Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let (_, h) = json(format!("{}/healthz", feed.base)).await;
        let hist = &h["history"];
        if hist["written"].as_u64().unwrap_or(0) + hist["known"].as_u64().unwrap_or(0) >= n {
            return h;
        }
        assert!(Instant::now() < deadline, "the history took {hist} of {n}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The real changes the core's own store reports for log lines `0..n`.
pub fn reference_changes(n: i64) -> usize {
    let mut store = zitiscope_core::Store::new();
    (0..n)
        .filter_map(|k| match zitiscope_core::parse_line(&line(k)) {
            Ok(zitiscope_core::Parsed::Event(e)) => Some(store.apply(&e).len()),
            _ => None,
        })
        .sum()
}

/// Every row of a paged endpoint (`path` with its query), following each
/// page's `next`, the rows being under `key`.
pub async fn pages(feed: &Feed, path: &str, key: &str) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, page) = json(format!("{}{path}{cursor}", feed.base)).await;
        assert_eq!(status, 200, "{page}");
        out.extend(page[key].as_array().unwrap().iter().cloned());
        match page["next"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return out,
        }
    }
}

/// Every stored change, page by page.
pub async fn all_changes(feed: &Feed) -> Vec<serde_json::Value> {
    pages(feed, "/changes?limit=100", "changes").await
}

/// Every stored event, page by page, `per` a page.
pub async fn all(feed: &Feed, query: &str, per: usize) -> Vec<serde_json::Value> {
    pages(feed, &format!("/history?limit={per}&{query}"), "events").await
}

/// Which backend a test's history is on.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    #[cfg(feature = "postgres")]
    Postgres,
}

/// Runs each of the named tests (`async fn(Backend)`) on SQLite and on
/// PostgreSQL, as `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() { super::$name(super::Backend::Sqlite).await })*
        }
        #[cfg(feature = "postgres")]
        mod postgres {
            $(#[tokio::test] async fn $name() { super::$name(super::Backend::Postgres).await })*
        }
    };
}

/// A test's history: a file in its folder, or a schema of its own.
pub enum Db {
    File(String),
    #[cfg(feature = "postgres")]
    Postgres(super::postgres::Schema),
}

impl Db {
    pub fn new(backend: Backend, dir: &TempDir, name: &str) -> Db {
        match backend {
            Backend::Sqlite => Db::File(dir.0.join("history.db").to_str().unwrap().to_owned()),
            #[cfg(feature = "postgres")]
            Backend::Postgres => Db::Postgres(super::postgres::Schema::new(name)),
        }
    }

    /// What `--history` says.
    pub fn arg(&self) -> &str {
        match self {
            Db::File(path) => path,
            #[cfg(feature = "postgres")]
            Db::Postgres(schema) => &schema.url,
        }
    }
}

pub async fn feed(db: &Db, log: &Path) -> Feed {
    let log = log.to_str().unwrap().to_owned();
    start(&["--history", db.arg(), "--batch-interval-ms", "5", "file", &log, "--from-start", "--poll-ms", "20"]).await
}

pub async fn stop(feed: Feed) {
    feed.stop.send(true).unwrap();
    let _ = feed.task.await;
}
