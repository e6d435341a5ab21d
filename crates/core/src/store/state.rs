//! The store as plain data: what a snapshot carries, so a client can take
//! over exactly where the server is and keep applying batches.

use super::{Cluster, ConnKey, Connection, IdentityRec, Inventory, Link, Store, StoreConfig};
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
    /// Names, attributes and deletions (absent from older feeds).
    #[serde(default, skip_serializing_if = "Inventory::is_empty")]
    pub inventory: Inventory,
}

impl Store {
    /// The whole state, sorted.
    pub fn state(&self) -> StoreState {
        let mut connections: Vec<_> = self.connections().map(|(k, c)| (k, c.clone())).collect();
        connections.sort_by(|a, b| a.0.cmp(&b.0));
        let mut identities: Vec<_> = self
            .ents
            .identities
            .iter()
            .map(|(k, r)| (k.to_owned(), IdentityRec { live: 0, routers: Vec::new(), ..r.clone() }))
            .collect();
        identities.sort_by(|a, b| a.0.cmp(&b.0));
        let mut links: Vec<_> = self.links.iter().map(|(k, l)| (k.clone(), l.clone())).collect();
        links.sort_by(|a, b| a.0.cmp(&b.0));
        let mut routers: Vec<_> = self.ents.routers.iter().map(|(k, _)| k.to_owned()).collect();
        routers.sort();
        let mut controllers: Vec<_> = self.ents.controllers.iter().map(|(k, _)| k.to_owned()).collect();
        controllers.sort();
        let inventory = self.inventory.clone();
        StoreState { connections, identities, links, cluster: self.cluster.clone(), routers, controllers, inventory }
    }

    /// A store holding exactly `state`, with derived counts rebuilt.
    pub fn from_state(state: StoreState, cfg: StoreConfig) -> Store {
        let mut store = Store::with_config(cfg);
        for r in state.routers {
            store.ents.see(EntityType::Router, &r);
        }
        for c in state.controllers {
            store.ents.see(EntityType::Controller, &c);
        }
        for (id, rec) in state.identities {
            let online = rec.online();
            let i = store.ents.see(EntityType::Identity, &id);
            if let Some(slot) = store.ents.identities.rec_mut(i) {
                *slot = IdentityRec { live: 0, routers: Vec::new(), ..rec };
                store.ents.flip(EntityType::Identity, false, online);
            }
        }
        for (key, mut conn) in state.connections {
            conn.life.restore();
            let key = store.ents.key(key.kind, &key.src, &key.dst);
            // A hostile or broken snapshot may name a connection twice (or a
            // controller pair in both orders): the first stands, so that no
            // count or index holds it twice.
            if store.conns.contains_key(&key) {
                continue;
            }
            store.register(key);
            if conn.life.up().is_some() {
                store.first_observed(key);
            }
            let up = conn.is_up();
            store.insert(key, conn);
            store.ents.count(key, false, up);
        }
        for (id, mut link) in state.links {
            link.life.restore();
            store.links.insert(id, link);
        }
        store.cluster = state.cluster;
        store.inventory = state.inventory;
        store.relist_online();
        store
    }
}
