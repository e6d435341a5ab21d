//! The store as plain data: what a snapshot carries, so a client can take
//! over exactly where the server is and keep applying batches.

use super::{Cluster, ConnKey, Connection, IdentityRec, Inventory, Link, Store, StoreConfig};
use crate::{ConnKind, EntityType};
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

/// A [`StoreState`] by reference: it serialises to exactly the JSON of
/// [`Store::state`] (a property test holds it to that) without copying the
/// store. A network of 20,000 identities has a state of 10–25 MB, and
/// copying it costs more than writing it out: the history's `/state` and
/// checkpoints write this.
#[derive(Serialize)]
pub struct StateRef<'a> {
    connections: Vec<(KeyRef<'a>, &'a Connection)>,
    identities: Vec<(&'a str, &'a IdentityRec)>,
    links: Vec<(&'a str, &'a Link)>,
    cluster: &'a Cluster,
    routers: Vec<&'a str>,
    controllers: Vec<&'a str>,
    #[serde(skip_serializing_if = "no_inventory")]
    inventory: &'a Inventory,
}

/// A [`ConnKey`] by reference: the same fields, so the same JSON and order.
#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct KeyRef<'a> {
    kind: ConnKind,
    src: &'a str,
    dst: &'a str,
}

fn no_inventory(i: &&Inventory) -> bool {
    i.is_empty()
}

impl Store {
    /// The whole state, sorted, by reference (see [`StateRef`]).
    pub fn state_ref(&self) -> StateRef<'_> {
        let mut connections: Vec<_> = self
            .conns
            .iter()
            .map(|(k, c)| {
                let (src, dst) = self.ents.ends(*k);
                (KeyRef { kind: k.kind, src, dst }, c)
            })
            .collect();
        // Keys are unique, so an unstable sort gives the one order.
        connections.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut identities: Vec<_> = self.ents.identities.iter().collect();
        identities.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut links: Vec<_> = self.links.iter().map(|(k, l)| (k.as_str(), l)).collect();
        links.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut routers: Vec<_> = self.ents.routers.iter().map(|(k, _)| k).collect();
        routers.sort_unstable();
        let mut controllers: Vec<_> = self.ents.controllers.iter().map(|(k, _)| k).collect();
        controllers.sort_unstable();
        StateRef {
            connections,
            identities,
            links,
            cluster: &self.cluster,
            routers,
            controllers,
            inventory: &self.inventory,
        }
    }

    /// The whole state, sorted: [`Store::state_ref`], copied.
    pub fn state(&self) -> StoreState {
        let r = self.state_ref();
        let owned = |k: KeyRef<'_>| ConnKey { kind: k.kind, src: k.src.to_owned(), dst: k.dst.to_owned() };
        StoreState {
            connections: r.connections.into_iter().map(|(k, c)| (owned(k), c.clone())).collect(),
            // `live` and `routers` are derived: from_state rebuilds them.
            identities: r
                .identities
                .into_iter()
                .map(|(k, i)| (k.to_owned(), IdentityRec { live: 0, routers: Vec::new(), ..i.clone() }))
                .collect(),
            links: r.links.into_iter().map(|(k, l)| (k.to_owned(), l.clone())).collect(),
            cluster: r.cluster.clone(),
            routers: r.routers.into_iter().map(str::to_owned).collect(),
            controllers: r.controllers.into_iter().map(str::to_owned).collect(),
            inventory: r.inventory.clone(),
        }
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
        // Sized once: a checkpoint of a large network holds ~80k of them.
        store.conns.reserve(state.connections.len());
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
