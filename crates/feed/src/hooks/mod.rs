//! Automation hooks (the seed's "event-triggered maintenance scripts"): on
//! each state change that matches a rule, POST it as JSON to a webhook, or
//! run a command with it as JSON on standard input.
//!
//! Ingest never waits for a hook: a matching change is offered to the
//! hook's bounded queue (`try_send`) and, when the queue is full, dropped
//! and counted. Each hook's own task delivers in order ([`deliver`]), with
//! a timeout per attempt and retries on the core's backoff schedule; what it
//! delivered, retried, failed and dropped is counted for `/metrics` (its
//! [`HookStats`], registered with the metrics' [`Registry`]).
//!
//! A hook only needs the hub's change dispatcher, the run id and a
//! [`Labeler`] (the hub's names for routers and identities, so a rule's
//! `name` and a payload's `label` read names, not ids): it knows nothing
//! else of the hub. Rules live in the config file ([`When`] is the
//! rule's language):
//!
//! ```toml
//! [[hook]]
//! name = "router-down"
//! when = "kind=router-to-ctrl AND !up AND name*=edge-eu"
//! url = "http://127.0.0.1:9000/ziti"          # or: command = ["/usr/local/bin/on-change"]
//! timeout-ms = 5000
//! retries = 3
//! ```

mod deliver;
mod when;

pub use when::When;

use crate::metrics::{HookStats, Registry};
use serde::Deserialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;
use zitiscope_core::dispatch::{Dispatcher, Subscription};
use zitiscope_core::store::ChangeLabel;
use zitiscope_core::Change;

/// A change in words, routers and identities by name (the hub's
/// `Hub::label`). Called during dispatch, outside the hub's lock.
pub type Labeler = Arc<dyn Fn(&Change) -> ChangeLabel + Send + Sync>;

/// One rule, as written in the config file.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct HookSpec {
    /// A name for logs and metrics.
    pub name: String,
    /// Which changes (absent: every change).
    #[serde(default)]
    pub when: When,
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
    /// Checks that the rule can work (its `when` was checked as it was read).
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

/// A running hook; dropping it unsubscribes (its task ends once the queue is empty).
pub struct Hook {
    /// Its name, as in the config file and the metrics.
    pub name: String,
    /// Its counters (also in the registry it was started with).
    pub stats: Arc<HookStats>,
    _subscription: Subscription,
}

/// Subscribes a hook to `changes` (the hub's dispatcher), registers its
/// counters and starts its delivery task. `run_id` is the feed run the
/// payloads name. Call it inside a tokio runtime.
///
/// With `active`, it fires only while that is `true`: a replica's hooks
/// fire on the leader alone, or every replica would call them
/// (`crate::replica`).
pub fn start(
    spec: HookSpec,
    changes: &Dispatcher,
    run_id: &str,
    registry: &Registry,
    label: Labeler,
    active: Option<Arc<AtomicBool>>,
) -> Hook {
    let stats = registry.register_hook(&spec.name);
    let (tx, rx) = mpsc::channel::<(Change, ChangeLabel)>(spec.queue);
    let offer = stats.clone();
    let when = spec.when.clone();
    let subscription = changes.on(when.interest(), move |change| {
        if active.as_ref().is_some_and(|a| !a.load(Ordering::Relaxed)) || !when.passes(change, &*label) {
            return;
        }
        // Named now, as the change happens: a later rename or deletion
        // does not rewrite what the hook is told.
        match tx.try_send((change.clone(), label(change))) {
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
    tokio::spawn(deliver::deliver_all(spec, run_id.to_owned(), rx, stats.clone()));
    Hook { name, stats, _subscription: subscription }
}
