//! What the feed's HTTP tests share: a real feed on an ephemeral port.
#![allow(dead_code)] // each test file uses its own part

pub mod binary;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "amqp")]
pub mod rabbitmq;

use clap::Parser;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use zitiscope_feed::{run, Args};

pub const WAIT: Duration = Duration::from_secs(20);

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
    let args = Args::try_parse_from(argv).expect("valid arguments");
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
