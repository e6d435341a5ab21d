//! "Only matches": the nodes the map's find filter passes, by kind (looked
//! up by `&str` while drawing). The others are neither drawn nor hit.

use std::collections::HashSet;
use zitiscope_core::filter::Filter;
use zitiscope_core::layout::NodeId;
use zitiscope_core::store::{SortBy, Topology};

/// The nodes a filter passes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Matches {
    pub controllers: HashSet<String>,
    pub routers: HashSet<String>,
}

impl Matches {
    /// The nodes of `t` that `f` passes.
    pub fn of(t: &Topology, f: &Filter) -> Matches {
        let mut m = Matches::default();
        for row in t.rows(f, SortBy::Name, true) {
            match row.node {
                NodeId::Controller(id) => m.controllers.insert(id),
                NodeId::Router(id) => m.routers.insert(id),
            };
        }
        m
    }

    /// Whether `n` is one of them.
    pub fn has(&self, n: &NodeId) -> bool {
        match n {
            NodeId::Controller(id) => self.controllers.contains(id),
            NodeId::Router(id) => self.routers.contains(id),
        }
    }
}
