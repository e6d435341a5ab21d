//! What the feed's HTTP tests share: a real feed on an ephemeral port.
#![allow(dead_code)] // each test file uses its own part

pub mod binary;
pub mod history;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "amqp")]
pub mod rabbitmq;

use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use zitiscope_feed::run;

pub const WAIT: Duration = Duration::from_secs(20);

pub const T0: i64 = 1_749_718_800_000_000_000; // 2025-06-12T09:00:00Z

/// Controller event `k`, as its AMQP handler sends it: ten routers come
/// online, then identities connect to them, and every 7th event a router
/// goes offline or comes back.
pub fn controller_event(k: i64) -> String {
    let ts = zitiscope_core::Timestamp(T0 + k * 1_000_000).to_rfc3339();
    let r = k % 10;
    if k < 10 || k % 7 == 0 {
        let online = k < 10 || k % 14 == 0;
        let kind = if online { "router-online" } else { "router-offline" };
        return format!(
            r#"{{"namespace":"router","timestamp":"{ts}","event_src_id":"ctrl1","event_type":"{kind}","router_id":"edge-{r}","router_online":{online}}}"#
        );
    }
    format!(
        r#"{{"namespace":"connect","event_src_id":"ctrl1","timestamp":"{ts}","src_type":"identity","dst_type":"router","src_id":"id-{k}","src_addr":"100.64.0.1:1","dst_id":"edge-{r}","dst_addr":"10.0.0.2:3022"}}"#
    )
}

pub struct Feed {
    pub base: String,
    pub stop: watch::Sender<bool>,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Runs the feed in-process with these arguments, on 127.0.0.1 and a free
/// port; with no history unless they name a `--history` file.
pub async fn start(extra: &[&str]) -> Feed {
    let mut argv = vec!["zitiscope-feed", "--listen", "127.0.0.1:0"];
    if !extra.contains(&"--history") {
        argv.push("--no-history");
    }
    argv.extend_from_slice(extra);
    // As the binary reads them: a `--config` file too.
    let args = zitiscope_feed::config::load(argv).expect("valid arguments");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, rx) = watch::channel(false);
    let task = tokio::spawn(run(args, listener, rx));
    Feed { base, stop, task }
}

/// A scratch directory, removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let d = std::env::temp_dir().join(format!("zitiscope-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
