//! One line about a node or a link: the tooltip's text, and what a screen
//! reader hears as the keyboard moves.

use zitiscope_core::layout::NodeId;
use zitiscope_core::store::{Edge, LinkLimits, Topology};

/// One line about a link, for the tooltip: its ends and its figures.
pub(super) fn describe_link(t: &Topology, e: &Edge, limits: &LinkLimits) -> String {
    let name = |n: &NodeId| t.name(n).unwrap_or(n.id()).to_owned();
    let id = e.link.as_deref().unwrap_or("");
    format!("{id} {} → {} · {}", name(&e.a), name(&e.b), e.figures(limits))
}

/// One line about a node, for the tooltip and the keyboard's announcement.
pub fn describe(t: &Topology, n: &NodeId) -> String {
    match t.row(n) {
        // The name a person reads, and the id beside it once they differ.
        Some(r) if r.name != n.id() => {
            format!("{} {} ({}) — {} — {}", n.kind(), r.name, n.id(), r.health.as_str(), r.detail)
        }
        Some(r) => format!("{} {} — {} — {}", n.kind(), n.id(), r.health.as_str(), r.detail),
        None => format!("{} {}", n.kind(), n.id()),
    }
}
