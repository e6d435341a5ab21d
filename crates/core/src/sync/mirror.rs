//! [`Mirror`]: the worker's copy of what the page holds, and the flow
//! control of the updates (see the module docs' rules).

use super::ListDelta;
use super::{Mark, Parts, Riders, TopologyDelta, Update, View};
use crate::alerts::Alert;

/// See the module docs.
#[derive(Debug)]
pub struct Mirror {
    /// What the page holds once it applied every update sent.
    sent: View,
    /// When the next update may leave, if the page asked for it and has
    /// not had it (ms on the shared epoch clock).
    asked: Option<f64>,
    /// Events for the next update.
    riders: Riders,
}

impl Default for Mirror {
    fn default() -> Self {
        Mirror::new()
    }
}

impl Mirror {
    /// A mirror of a new page, which wants its first update.
    pub fn new() -> Self {
        Mirror { sent: View::default(), asked: Some(f64::NEG_INFINITY), riders: Riders::default() }
    }

    /// The page applied update `applied` and asks for the next, to leave
    /// at `send_at` (at once if `None`). A stale ask (an update it has not
    /// seen yet is on its way) is ignored.
    pub fn ready(&mut self, applied: u64, send_at: Option<f64>) {
        if applied == self.sent.n {
            self.asked = Some(send_at.unwrap_or(f64::NEG_INFINITY));
        }
    }

    /// Whether the page waits for an update at `now_ms` (so one goes as
    /// soon as anything differs).
    pub fn asked(&self, now_ms: f64) -> bool {
        self.asked.is_some_and(|at| now_ms >= at)
    }

    /// When the page's ask comes due, if it is still to come.
    pub fn asked_for(&self, now_ms: f64) -> Option<f64> {
        self.asked.filter(|at| *at > now_ms)
    }

    /// What the page holds once it applied every update sent.
    pub fn sent(&self) -> &View {
        &self.sent
    }

    /// Queues alerts that fired for the next update.
    pub fn fired(&mut self, alerts: impl IntoIterator<Item = Alert>) {
        self.riders.fired.extend(alerts);
    }

    /// Queues alerts that fired silenced for the next update.
    pub fn quiet(&mut self, alerts: impl IntoIterator<Item = Alert>) {
        self.riders.quiet.extend(alerts);
    }

    /// Queues a benchmark mark (at `at_ms` on the shared epoch clock) for
    /// the next update.
    pub fn mark(&mut self, mark: Mark, at_ms: f64) {
        self.riders.marks.push((mark, at_ms));
    }

    /// The update that brings the page to `view` at `now_ms`: `None` while
    /// the page's ask is not due, or when nothing differs and nothing rides
    /// along.
    pub fn update(&mut self, view: &View, now_ms: f64) -> Option<Update> {
        if !self.asked(now_ms) {
            return None;
        }
        let parts = Parts::between(&self.sent, view);
        let topology = TopologyDelta::between(&self.sent.topology, &view.topology);
        let past = TopologyDelta::between(&self.sent.past, &view.past);
        let names = ListDelta::between(&self.sent.names, &view.names);
        let nothing = parts.is_empty() && topology.is_none() && past.is_none() && names.is_empty();
        if nothing && self.riders.is_empty() {
            return None;
        }
        let n = self.sent.n + 1;
        self.sent.clone_from(view);
        self.sent.n = n;
        self.asked = None;
        Some(Update { n, parts, topology, past, names, riders: std::mem::take(&mut self.riders) })
    }
}
