//! The pulses that mark a node whose health just changed: each node's
//! health at the last topology, and the rings running now.

use zitiscope_core::layout::NodeId;
use zitiscope_core::store::{Health, Topology};

/// How long a change pulses, in ms.
pub const PULSE_MS: f64 = 1_500.0;
/// At most this many pulses at once (a mass outage marks the first ones;
/// the nodes' colours and shapes show the rest).
const PULSE_CAP: usize = 512;

/// A node whose health changed at `start` (`performance.now()` ms).
pub struct Pulse {
    pub node: NodeId,
    pub health: Health,
    pub start: f64,
}

/// The pulses, and what they are judged against.
#[derive(Default)]
pub struct Pulses {
    /// Each node's health at the last topology, sorted by node.
    health: Vec<(NodeId, Health)>,
    /// The pulses running now.
    pub running: Vec<Pulse>,
}

impl Pulses {
    /// Takes in a new topology: starts a pulse on each node whose health
    /// changed (not on the first topology: nothing "changed" then).
    /// Returns whether its nodes are the last topology's, so that the
    /// caller can keep the layout as it is.
    pub fn sync(&mut self, t: &Topology, now_ms: f64) -> bool {
        let nodes = t
            .controllers
            .iter()
            .map(|c| (NodeId::Controller(c.id.clone()), c.health))
            .chain(t.routers.iter().map(|r| (NodeId::Router(r.id.clone()), r.health)));
        let mut health: Vec<(NodeId, Health)> = nodes.collect();
        health.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        if !self.health.is_empty() {
            for (node, h) in &health {
                let before = self.health.binary_search_by(|(n, _)| n.cmp(node)).ok().map(|i| self.health[i].1);
                if before.is_some_and(|b| b != *h) && self.running.len() < PULSE_CAP {
                    self.running.retain(|p| p.node != *node);
                    self.running.push(Pulse { node: node.clone(), health: *h, start: now_ms });
                }
            }
        }
        let same_nodes = health.len() == self.health.len() && health.iter().zip(&self.health).all(|(a, b)| a.0 == b.0);
        self.health = health;
        same_nodes
    }

    /// Drops finished pulses; whether any is left.
    pub fn pulsing(&mut self, now_ms: f64) -> bool {
        self.running.retain(|p| now_ms - p.start < PULSE_MS);
        !self.running.is_empty()
    }

    /// When the oldest running pulse started, if any runs.
    pub fn oldest(&self) -> Option<f64> {
        self.running.iter().map(|p| p.start).min_by(f64::total_cmp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zitiscope_core::{ConnKind, Event, Store, Timestamp};

    fn topology(down: &[&str]) -> Topology {
        let mut s = Store::new();
        for r in ["r1", "r2", "r3"] {
            s.apply(&Event::conn(Timestamp(1), ConnKind::RouterToCtrl, r, "c1", true));
        }
        for r in down {
            s.apply(&Event::conn(Timestamp(2), ConnKind::RouterToCtrl, *r, "c1", false));
        }
        s.topology(Timestamp(3))
    }

    #[test]
    fn a_health_change_pulses_that_node_only_and_ends() {
        let mut p = Pulses::default();
        assert!(!p.sync(&topology(&[]), 0.0), "the first topology brings new nodes");
        assert!(p.running.is_empty(), "the first picture changes nothing");
        assert!(p.sync(&topology(&["r2"]), 100.0), "the same nodes");
        let pulsed: Vec<(&str, Health)> = p.running.iter().map(|p| (p.node.id(), p.health)).collect();
        assert_eq!(pulsed, [("r2", Health::Down)]);
        p.sync(&topology(&["r2"]), 200.0);
        assert_eq!(p.running.len(), 1, "no change, no new pulse");
        assert_eq!(p.oldest(), Some(100.0));
        assert!(p.pulsing(100.0 + PULSE_MS - 1.0));
        assert!(!p.pulsing(100.0 + PULSE_MS), "it ends");
    }
}
