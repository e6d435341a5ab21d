//! What a replica is doing: its role and how far behind the log it is,
//! for `/healthz` and `/metrics` (on any build: a feed that is no replica
//! has none).

use crate::hub::Hub;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// What a replica is doing, for `/healthz` and `/metrics`.
#[derive(Debug, Default)]
pub struct Status {
    /// Whether it leads (shared with its hooks, which fire only then).
    pub leading: Arc<AtomicBool>,
    /// The newest batch it knows the log holds.
    pub head: AtomicU64,
    /// Times it took over (0 or 1 in a run: a leader never steps down
    /// without exiting).
    pub takeovers: AtomicU64,
    /// How long its last takeover took, from getting the lock to its
    /// sources starting, in ms.
    pub takeover_ms: AtomicU64,
}

impl Status {
    /// The flag that says it leads, for what must run on the leader alone.
    pub fn leading_flag(&self) -> Arc<AtomicBool> {
        self.leading.clone()
    }

    /// `/healthz`'s `replica`: the role, and how far behind the log it is.
    pub fn health(&self, hub: &Hub) -> serde_json::Value {
        let head = self.head.load(Ordering::Relaxed);
        let seq = hub.seq();
        serde_json::json!({
            "role": if self.leading.load(Ordering::Relaxed) { "leader" } else { "follower" },
            "log_head": head.max(seq),
            "behind": head.saturating_sub(seq),
            "takeovers": self.takeovers.load(Ordering::Relaxed),
            "takeover_ms": self.takeover_ms.load(Ordering::Relaxed),
        })
    }
}
