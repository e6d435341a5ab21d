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
    /// Whether the page asked for the next update and has not had it.
    asked: bool,
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
        Mirror { sent: View::default(), asked: true, riders: Riders::default() }
    }

    /// The page applied update `applied` and asks for the next. A stale
    /// ask (an update it has not seen yet is on its way) is ignored.
    pub fn ready(&mut self, applied: u64) {
        if applied == self.sent.n {
            self.asked = true;
        }
    }

    /// Whether the page is waiting for an update (so one goes as soon as
    /// anything differs).
    pub fn asked(&self) -> bool {
        self.asked
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

    /// The update that brings the page to `view`: `None` while the page
    /// has not asked, or when nothing differs and nothing rides along.
    pub fn update(&mut self, view: &View) -> Option<Update> {
        if !self.asked {
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
        self.asked = false;
        Some(Update { n, parts, topology, past, names, riders: std::mem::take(&mut self.riders) })
    }
}
