//! Automation hooks (the seed's "event-triggered maintenance scripts"): on
//! each state change that matches a rule, POST it as JSON to a webhook, or
//! run a command with it as JSON on standard input.
//!
//! Ingest never waits for a hook: a matching change is offered to the
//! hook's bounded queue (`try_send`) and, when the queue is full, dropped
//! and counted. Each hook's own task delivers in order, with a timeout per
//! attempt and retries on the core's backoff schedule; what it delivered,
//! retried, failed and dropped is counted for `/metrics`.
//!
//! Rules live in the config file:
//!
//! ```toml
//! [[hook]]
//! name = "router-down"
//! when = { kinds = ["router-to-ctrl"], up = false }
//! url = "http://127.0.0.1:9000/ziti"          # or: command = ["/usr/local/bin/on-change"]
//! timeout-ms = 5000
//! retries = 3
//! ```

use crate::hub::Hub;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;
use zitiscope_core::dispatch::{Filter, Subscription};
use zitiscope_core::{Backoff, Change};

/// One rule, as written in the config file.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct HookSpec {
    /// A name for logs and metrics.
    pub name: String,
    /// Which changes (the core's dispatcher filter; empty: every change).
    #[serde(default)]
    pub when: Filter,
    /// POST each change here (`http://` only; for HTTPS, run a command
    /// such as `curl`).
    pub url: Option<String>,
    /// Or run this program (with arguments), the change on its stdin.
    pub command: Option<Vec<String>>,
    /// Per attempt.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Further attempts after a failure.
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// Changes waiting for delivery; beyond it, new ones are dropped.
    #[serde(default = "default_queue")]
    pub queue: usize,
    /// The first retry's delay; it doubles up to 30 s.
    #[serde(default = "default_backoff_ms")]
    pub backoff_ms: u64,
}

fn default_timeout_ms() -> u64 {
    5_000
}
fn default_retries() -> u32 {
    3
}
fn default_queue() -> usize {
    1_024
}
fn default_backoff_ms() -> u64 {
    500
}

impl HookSpec {
    /// Checks that the rule can work.
    pub fn validate(&self) -> Result<(), String> {
        match (&self.url, &self.command) {
            (Some(_), Some(_)) => return Err(format!("hook `{}`: give `url` or `command`, not both", self.name)),
            (None, None) => return Err(format!("hook `{}`: needs `url` or `command`", self.name)),
            (Some(url), None) if !url.starts_with("http://") => {
                return Err(format!(
                    "hook `{}`: only http:// URLs are supported; for HTTPS use command = [\"curl\", …]",
                    self.name
                ))
            }
            (None, Some(cmd)) if cmd.is_empty() => return Err(format!("hook `{}`: `command` is empty", self.name)),
            _ => {}
        }
        if self.queue == 0 || self.timeout_ms == 0 {
            return Err(format!("hook `{}`: `queue` and `timeout-ms` must be at least 1", self.name));
        }
        Ok(())
    }
}

/// A hook's counters, for `/metrics`.
#[derive(Debug, Default)]
pub struct HookStats {
    pub delivered: AtomicU64,
    pub retries: AtomicU64,
    /// Given up on after every retry.
    pub failed: AtomicU64,
    /// Not queued: the queue was full.
    pub dropped: AtomicU64,
    /// Waiting now.
    pub queued: AtomicU64,
}

/// What a hook receives.
#[derive(Serialize)]
struct Payload<'a> {
    hook: &'a str,
    /// The feed run (see the protocol's ids).
    feed: &'a str,
    change: &'a Change,
    /// The same change in words: what, subject, state.
    label: zitiscope_core::store::ChangeLabel,
}

/// A running hook; dropping it unsubscribes (its task ends once the queue is empty).
pub struct Hook {
    pub name: String,
    pub stats: Arc<HookStats>,
    _subscription: Subscription,
}

/// Subscribes a hook to the hub's changes and starts its delivery task.
pub fn start(spec: HookSpec, hub: &Hub) -> Hook {
    let stats = Arc::new(HookStats::default());
    let (tx, rx) = mpsc::channel::<Change>(spec.queue);
    let offer = stats.clone();
    let subscription = hub.changes.on(spec.when.clone(), move |change| {
        match tx.try_send(change.clone()) {
            Ok(()) => {
                offer.queued.fetch_add(1, Ordering::Relaxed);
            }
            // Full (or the task is gone): never wait here, this is ingest.
            Err(_) => {
                offer.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    let name = spec.name.clone();
    hub.register_hook(&name, stats.clone());
    tokio::spawn(deliver_all(spec, hub.feed.clone(), rx, stats.clone()));
    Hook { name, stats, _subscription: subscription }
}

async fn deliver_all(spec: HookSpec, feed: String, mut rx: mpsc::Receiver<Change>, stats: Arc<HookStats>) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(spec.timeout_ms))
        .build()
        .expect("an HTTP client without TLS always builds");
    while let Some(change) = rx.recv().await {
        stats.queued.fetch_sub(1, Ordering::Relaxed);
        let payload = Payload { hook: &spec.name, feed: &feed, change: &change, label: change.label() };
        let body = serde_json::to_vec(&payload).expect("changes always serialise");
        let mut backoff = Backoff::new(spec.backoff_ms as f64, 30_000.0);
        let mut jitter = rand::rngs::SmallRng::seed_from_u64(stats.delivered.load(Ordering::Relaxed) ^ 0x5eed);
        let mut attempt = 0;
        loop {
            match deliver(&spec, &client, &body).await {
                Ok(()) => {
                    stats.delivered.fetch_add(1, Ordering::Relaxed);
                    break;
                }
                Err(e) if attempt < spec.retries => {
                    attempt += 1;
                    stats.retries.fetch_add(1, Ordering::Relaxed);
                    let delay = backoff.next_delay_ms(jitter.random::<f64>());
                    tracing::debug!(hook = %spec.name, attempt, "delivery failed ({e}); retrying in {delay:.0} ms");
                    tokio::time::sleep(Duration::from_millis(delay as u64)).await;
                }
                Err(e) => {
                    stats.failed.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(hook = %spec.name, "giving up on a change after {} attempts: {e}", attempt + 1);
                    break;
                }
            }
        }
    }
}

/// One attempt.
async fn deliver(spec: &HookSpec, client: &reqwest::Client, body: &[u8]) -> Result<(), String> {
    if let Some(url) = &spec.url {
        let resp = client
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_vec())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        return if resp.status().is_success() { Ok(()) } else { Err(format!("HTTP {}", resp.status())) };
    }
    let Some((program, args)) = spec.command.as_deref().and_then(<[String]>::split_first) else {
        return Err("no url or command".into());
    };
    let run = async {
        let mut child = tokio::process::Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot run {program}: {e}"))?;
        if let Some(mut stdin) = child.stdin.take() {
            // A command that ignores its input is fine.
            let _ = stdin.write_all(body).await;
        }
        let status = child.wait().await.map_err(|e| e.to_string())?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("{program} exited with {status}"))
        }
    };
    match tokio::time::timeout(Duration::from_millis(spec.timeout_ms), run).await {
        Ok(result) => result,
        // Dropping the future kills the child (kill_on_drop).
        Err(_) => Err(format!("{program} took longer than {} ms", spec.timeout_ms)),
    }
}
