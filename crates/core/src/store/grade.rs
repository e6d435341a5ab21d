//! How healthy a link looks: the one answer for the map's link colours and
//! the link latency alert.
//!
//! The rules, worst first:
//! - **down**: the link is not up (see `Store::link_effectively_up`);
//! - **stale**: its newest latency sample is too old to stand for it now
//!   (`Edge::latency_stale`): it is drawn as unknown, and never alerts;
//! - **slow**: its latency is over the alert threshold;
//! - **jittery**: its jitter (the sample's standard deviation) is over the
//!   alert threshold;
//! - **fair**: its latency is over half the threshold (a warning band: on
//!   its way to alerting);
//! - **good**: measured, and under all of that; **unmeasured**: up, with no
//!   sample yet.

use super::topology::{Edge, EdgeKind};

/// The thresholds a link is judged by: the alert config's
/// (`AlertConfig::link_limits`), whose defaults these are.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinkLimits {
    pub latency_ms: f64,
    pub jitter_ms: f64,
}

impl Default for LinkLimits {
    fn default() -> Self {
        LinkLimits { latency_ms: 250.0, jitter_ms: 50.0 }
    }
}

/// See the module docs; ordered best to worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LinkGrade {
    Good,
    Unmeasured,
    Fair,
    Jittery,
    Slow,
    Stale,
    Down,
}

impl LinkGrade {
    /// Every grade, best first.
    pub const ALL: [LinkGrade; 7] = [
        LinkGrade::Good,
        LinkGrade::Unmeasured,
        LinkGrade::Fair,
        LinkGrade::Jittery,
        LinkGrade::Slow,
        LinkGrade::Stale,
        LinkGrade::Down,
    ];

    /// Its word, as the legend and the tooltip say it.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkGrade::Good => "good",
            LinkGrade::Unmeasured => "up, not measured",
            LinkGrade::Fair => "fair",
            LinkGrade::Jittery => "jittery",
            LinkGrade::Slow => "slow",
            LinkGrade::Stale => "stale",
            LinkGrade::Down => "down",
        }
    }

    /// Whether the link latency alert fires on it.
    pub fn alerts(self) -> bool {
        matches!(self, LinkGrade::Jittery | LinkGrade::Slow)
    }
}

impl Edge {
    /// How healthy it looks by `limits` (see the module docs).
    pub fn grade(&self, limits: &LinkLimits) -> LinkGrade {
        if !self.up {
            return LinkGrade::Down;
        }
        if self.latency_stale {
            return LinkGrade::Stale;
        }
        let Some(ms) = self.latency_ms else { return LinkGrade::Unmeasured };
        if ms > limits.latency_ms {
            LinkGrade::Slow
        } else if self.jitter_ms.is_some_and(|j| j > limits.jitter_ms) {
            LinkGrade::Jittery
        } else if ms > limits.latency_ms / 2.0 {
            LinkGrade::Fair
        } else {
            LinkGrade::Good
        }
    }

    /// Its figures, as the map's tooltip shows them: `42 ms · jitter 3 ms
    /// · good`, or what is missing.
    pub fn figures(&self, limits: &LinkLimits) -> String {
        let grade = self.grade(limits);
        let kind = match self.kind {
            EdgeKind::Link => "link",
            EdgeKind::Control => "control channel",
            EdgeKind::Peer => "cluster peer",
        };
        let Some(ms) = self.latency_ms else { return format!("{kind} · {}", grade.as_str()) };
        let jitter = self.jitter_ms.map(|j| format!(" · jitter {j:.1} ms")).unwrap_or_default();
        let when = if self.latency_stale { "last sample " } else { "" };
        format!("{kind} · {when}{ms:.1} ms{jitter} · {}", grade.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::NodeId;

    fn link(up: bool, ms: Option<f64>, jitter: Option<f64>, stale: bool) -> Edge {
        Edge {
            kind: EdgeKind::Link,
            a: NodeId::Router("a".into()),
            b: NodeId::Router("b".into()),
            up,
            link: Some("L".into()),
            latency_ms: ms,
            jitter_ms: jitter,
            latency_stale: stale,
        }
    }

    #[test]
    fn each_band_by_the_alert_thresholds() {
        let l = LinkLimits { latency_ms: 100.0, jitter_ms: 20.0 };
        let cases = [
            (link(false, Some(5.0), None, false), LinkGrade::Down),
            (link(true, Some(500.0), None, true), LinkGrade::Stale),
            (link(true, None, None, false), LinkGrade::Unmeasured),
            (link(true, Some(100.5), Some(1.0), false), LinkGrade::Slow),
            (link(true, Some(10.0), Some(25.0), false), LinkGrade::Jittery),
            (link(true, Some(150.0), Some(25.0), false), LinkGrade::Slow),
            (link(true, Some(60.0), Some(2.0), false), LinkGrade::Fair),
            (link(true, Some(50.0), None, false), LinkGrade::Good),
        ];
        for (e, want) in cases {
            assert_eq!(e.grade(&l), want, "{e:?}");
        }
        assert!(LinkGrade::Slow.alerts() && LinkGrade::Jittery.alerts() && !LinkGrade::Stale.alerts());
    }

    #[test]
    fn the_tooltip_reads_the_figures_and_the_grade() {
        let l = LinkLimits::default();
        assert_eq!(link(true, Some(42.04), Some(3.0), false).figures(&l), "link · 42.0 ms · jitter 3.0 ms · good");
        assert_eq!(link(true, Some(42.0), None, true).figures(&l), "link · last sample 42.0 ms · stale");
        assert_eq!(link(false, None, None, false).figures(&l), "link · down");
    }
}
