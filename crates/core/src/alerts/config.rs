//! The alert rules' thresholds and hold times. The app reads them from
//! `config.json` beside its `index.html` (`{"alerts": {…}}`), which the
//! feed may serve in place of the static file; every field has a default,
//! and an unknown field is an error (a typo must not silently disable a
//! rule).

use crate::store::LinkLimits;
use serde::{Deserialize, Serialize};

/// See the module docs. Times are in milliseconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct AlertConfig {
    /// How long a condition must hold before its alert fires (pending
    /// until then), for every rule but the feed's own.
    pub hold_ms: u64,
    /// State changes within `flap_window_ms` that make a router's control
    /// channel or an identity's router connection flapping.
    pub flap_threshold: u32,
    pub flap_window_ms: u64,
    /// Identities dropped from one router within `mass_window_ms` that make
    /// a mass disconnect (while the router itself stays up).
    pub mass_count: u32,
    pub mass_window_ms: u64,
    /// A link's latency (its newest sample's mean) and jitter (its standard
    /// deviation) above which it alerts.
    pub link_latency_ms: f64,
    pub link_jitter_ms: f64,
    /// The feed's heartbeat period: stale after twice it with no heartbeat.
    pub heartbeat_ms: u64,
    /// How long the feed may be disconnected before that alerts (a
    /// restart that reconnects within it is not an incident).
    pub disconnected_hold_ms: u64,
    /// How long one of the feed's sources may be down before that alerts
    /// (a command that is restarted and back within it is no incident).
    pub source_down_hold_ms: u64,
    /// How long a leader change stays on the board.
    pub leader_notice_ms: u64,
    /// Identity connections that dropped up to this long before their
    /// router count as dropped with it (root-cause grouping).
    pub group_slack_ms: u64,
    /// Alerts kept, resolved ones evicted first, oldest first.
    pub max_alerts: usize,
}

impl AlertConfig {
    /// The thresholds links are judged by, on the map and by the link
    /// latency alert (`store::grade`).
    pub fn link_limits(&self) -> LinkLimits {
        LinkLimits { latency_ms: self.link_latency_ms, jitter_ms: self.link_jitter_ms }
    }
}

impl Default for AlertConfig {
    fn default() -> Self {
        AlertConfig {
            hold_ms: 0,
            flap_threshold: 4,
            flap_window_ms: 300_000,
            mass_count: 50,
            mass_window_ms: 60_000,
            link_latency_ms: LinkLimits::default().latency_ms,
            link_jitter_ms: LinkLimits::default().jitter_ms,
            heartbeat_ms: 5_000,
            disconnected_hold_ms: 10_000,
            source_down_hold_ms: 5_000,
            leader_notice_ms: 300_000,
            group_slack_ms: 5_000,
            max_alerts: 1_000,
        }
    }
}

/// Heartbeat periods without a word from the feed after which it is stale
/// (the banner, the `feed-stale` rule), and after which the app gives the
/// stream up for dead and opens another.
pub const STALE_BEATS: f64 = 2.0;
pub const DEAD_BEATS: f64 = 3.0;

/// The file beside `index.html`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppConfig {
    pub alerts: AlertConfig,
}

impl AppConfig {
    /// Reads `config.json`; the error says which field is wrong.
    pub fn from_json(text: &str) -> Result<AppConfig, String> {
        serde_json::from_str(text).map_err(|e| format!("config.json: {e}"))
    }
}
