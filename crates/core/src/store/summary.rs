//! Counts for the dashboard's counters.

use crate::EntityType;
use serde::{Deserialize, Serialize};

/// Online (or up) and total counts for one kind of thing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub online: usize,
    pub total: usize,
}

impl Tally {
    /// Known things that are not online.
    pub fn offline(&self) -> usize {
        self.total - self.online
    }
}

/// Counts per entity type, and links up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub controllers: Tally,
    pub routers: Tally,
    pub identities: Tally,
    pub links: Tally,
}

impl Summary {
    /// The tally for one entity type.
    pub fn get(&self, t: EntityType) -> Tally {
        match t {
            EntityType::Controller => self.controllers,
            EntityType::Router => self.routers,
            EntityType::Identity => self.identities,
        }
    }
}
