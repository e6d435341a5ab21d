//! The store as plain data: what a snapshot carries, so a client can take
//! over exactly where the server is and keep applying batches.

use super::{Cluster, ConnKey, Connection, IdentityRec, Link, Store, StoreConfig};
use crate::EntityType;
use serde::{Deserialize, Serialize};

/// Everything needed to rebuild a [`Store`]. Lists are sorted by key, so
/// the same state always serialises the same way.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreState {
    pub connections: Vec<(ConnKey, Connection)>,
    #[serde(default)]
    pub identities: Vec<(String, IdentityRec)>,
    #[serde(default)]
    pub links: Vec<(String, Link)>,
    #[serde(default)]
    pub cluster: Cluster,
    /// Routers and controllers known without any connection.
    #[serde(default)]
    pub routers: Vec<String>,
    #[serde(default)]
    pub controllers: Vec<String>,
}

impl Store {
    /// The whole state, sorted.
    pub fn state(&self) -> StoreState {
        let mut connections: Vec<_> = self.conns.iter().map(|(k, c)| (k.clone(), c.clone())).collect();
        connections.sort_by(|a, b| a.0.cmp(&b.0));
        let mut identities: Vec<_> = self
            .identities
            .iter()
            .map(|(k, r)| (k.clone(), IdentityRec { live: 0, routers: Vec::new(), ..r.clone() }))
            .collect();
        identities.sort_by(|a, b| a.0.cmp(&b.0));
        let mut links: Vec<_> = self.links.iter().map(|(k, l)| (k.clone(), l.clone())).collect();
        links.sort_by(|a, b| a.0.cmp(&b.0));
        let mut routers: Vec<_> = self.routers.keys().cloned().collect();
        routers.sort();
        let mut controllers: Vec<_> = self.controllers.keys().cloned().collect();
        controllers.sort();
        StoreState { connections, identities, links, cluster: self.cluster.clone(), routers, controllers }
    }

    /// A store holding exactly `state`, with derived counts rebuilt.
    pub fn from_state(state: StoreState, cfg: StoreConfig) -> Store {
        let mut store = Store::with_config(cfg);
        for r in state.routers {
            store.see(EntityType::Router, &r);
        }
        for c in state.controllers {
            store.see(EntityType::Controller, &c);
        }
        for (id, rec) in state.identities {
            let online = rec.online();
            store.identities.insert(id, IdentityRec { live: 0, routers: Vec::new(), ..rec });
            store.flip(EntityType::Identity, false, online);
        }
        for (key, mut conn) in state.connections {
            conn.life.restore();
            store.register(&key);
            if conn.life.up().is_some() {
                store.first_observed(&key);
            }
            let up = conn.is_up();
            store.conns.insert(key.clone(), conn);
            store.count(&key, false, up);
        }
        for (id, mut link) in state.links {
            link.life.restore();
            store.links.insert(id, link);
        }
        store.cluster = state.cluster;
        store
    }
}
