//! The real `zitiscope-feed` binary as a child process, for the tests of
//! what only a process shows (standard input, commands it runs, signals),
//! and the blocking reads those tests make of it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use zitiscope_core::wire::Snapshot;
use zitiscope_core::{parse_line, Parsed, Store};

/// A running feed binary, killed when dropped.
pub struct BinFeed {
    pub child: Child,
    pub base: String,
}

impl Drop for BinFeed {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary on a free port (5 ms batches; no history unless `args`
/// name a `--history` file) with `args`; returns once it says where it
/// listens.
pub fn start_binary(args: &[&str], stdin: Stdio) -> BinFeed {
    let history = if args.contains(&"--history") { None } else { Some("--no-history") };
    let mut child = Command::new(env!("CARGO_BIN_EXE_zitiscope-feed"))
        .args(["--listen", "127.0.0.1:0", "--batch-interval-ms", "5"])
        .args(history)
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the feed binary runs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let base =
        line.trim().strip_prefix("zitiscope-feed listening on ").expect("the listening line").trim_end_matches('/');
    BinFeed { base: base.to_owned(), child }
}

/// A blocking GET's body.
pub fn get(url: &str) -> String {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async { reqwest::get(url).await.unwrap().text().await.unwrap() })
}

/// The feed's `/healthz`.
pub fn health(feed: &BinFeed) -> serde_json::Value {
    serde_json::from_str(&get(&format!("{}/healthz", feed.base))).unwrap()
}

/// Waits (up to [`super::WAIT`]) until the feed's `/healthz` passes `ok`,
/// and returns it; fails saying `what` it waited for.
pub fn until(feed: &BinFeed, what: &str, ok: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    until_within(feed, super::WAIT, what, ok)
}

/// [`until`], waiting up to `within`.
pub fn until_within(
    feed: &BinFeed,
    within: std::time::Duration,
    what: &str,
    ok: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = std::time::Instant::now() + within;
    loop {
        let h = health(feed);
        if ok(&h) {
            return h;
        }
        assert!(std::time::Instant::now() < deadline, "{what}: {h:#}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// One sample of the feed's `/metrics` (`sample` is its name with its
/// labels, as printed).
pub fn metric(feed: &BinFeed, sample: &str) -> Option<f64> {
    let text = get(&format!("{}/metrics", feed.base));
    text.lines().find_map(|l| l.strip_prefix(sample)?.strip_prefix(' ')?.parse().ok())
}

/// The feed's `/snapshot`.
pub fn snapshot(feed: &BinFeed) -> Snapshot {
    serde_json::from_str(&get(&format!("{}/snapshot", feed.base))).unwrap()
}

/// The core's golden samples.
pub fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/samples")
}

/// What one store of the core's own makes of every line of `text`, as if
/// a single source had read them all.
pub fn core_store(text: &str) -> Store {
    let mut store = Store::new();
    for line in text.lines() {
        if let Ok(Parsed::Event(e)) = parse_line(line) {
            store.apply(&e);
        }
    }
    store
}

/// Waits until the feed's state is `want`'s (polling its snapshot); fails
/// saying how far apart they are.
pub fn state_until(feed: &BinFeed, want: &zitiscope_core::Store, what: &str) {
    let deadline = std::time::Instant::now() + super::WAIT;
    let want = want.state();
    loop {
        let got = snapshot(feed).state;
        if got == want {
            return;
        }
        if std::time::Instant::now() >= deadline {
            let first = got.connections.iter().zip(&want.connections).position(|(a, b)| a != b);
            panic!(
                "{what}: {} connections against {}, the first that differs at {first:?}",
                got.connections.len(),
                want.connections.len()
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// How many events `/history` holds from `from` (ns) on, paging through.
pub fn stored(feed: &BinFeed, from: i64) -> usize {
    let (mut n, mut cursor) = (0, None::<String>);
    loop {
        let after = cursor.map(|c| format!("&cursor={c}")).unwrap_or_default();
        let page: serde_json::Value =
            serde_json::from_str(&get(&format!("{}/history?limit=10000&from={from}{after}", feed.base))).unwrap();
        n += page["events"].as_array().expect("a page").len();
        match page["next"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return n,
        }
    }
}
