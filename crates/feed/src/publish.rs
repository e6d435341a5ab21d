//! Where the sources' batches go: straight to the hub, or, on a replica
//! (`--replica`), first to the shared log and then to the hub, so that a
//! batch reaches a client only once every replica can have it (see
//! [`crate::replica`]).

use crate::hub::Hub;
use std::sync::Arc;
use zitiscope_core::Event;

/// See the module docs.
#[derive(Clone)]
pub enum Publisher {
    /// One feed: the hub numbers its batches itself.
    Hub(Arc<Hub>),
    /// A replica: the log numbers them (it publishes only while leading).
    #[cfg(feature = "postgres")]
    Log(Arc<crate::replica::Log>),
}

impl Publisher {
    /// Publishes a batch; returns its sequence number.
    pub async fn publish(&self, events: Vec<Event>) -> u64 {
        match self {
            Publisher::Hub(hub) => hub.publish(events),
            #[cfg(feature = "postgres")]
            Publisher::Log(log) => log.publish(events).await,
        }
    }

    /// The hub the batches end in.
    pub fn hub(&self) -> &Arc<Hub> {
        match self {
            Publisher::Hub(hub) => hub,
            #[cfg(feature = "postgres")]
            Publisher::Log(log) => log.hub(),
        }
    }
}
