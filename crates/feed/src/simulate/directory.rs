//! The running network, shared: the loop that plays it ([`super::run`])
//! and the management-API subset that lists it (`crate::mgmt`, through
//! [`Directory`]) both hold a [`Live`]. The lists are the model's present:
//! its routers and the identities that exist now, in id order, named as the
//! inventory names them, online as the model has them.

use super::network::Network;
use std::sync::{Arc, Mutex};
use zitiscope_core::mgmt::{self, Base, Directory, EdgeRouter, EntityRef, Identity, Link, Paging};
use zitiscope_core::Timestamp;

/// See the module docs. Empty until [`Live::install`].
#[derive(Clone, Default)]
pub struct Live(Arc<Mutex<Option<Network>>>);

impl Live {
    /// Hands the network over (its bootstrap already played).
    pub fn install(&self, net: Network) {
        *self.lock() = Some(net);
    }

    /// Runs `f` on the network, if one is installed. Both users hold the
    /// lock briefly: one step, or one page.
    pub fn with<R>(&self, f: impl FnOnce(&mut Network) -> R) -> Option<R> {
        self.lock().as_mut().map(f)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Network>> {
        // The model is whole between steps: keep serving after a panic.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Directory for Live {
    fn edge_routers(&self, paging: Paging) -> (Vec<EdgeRouter>, usize) {
        self.with(|n| n.router_list(paging)).unwrap_or_default()
    }

    fn identities(&self, paging: Paging) -> (Vec<Identity>, usize) {
        self.with(|n| n.identity_list(paging)).unwrap_or_default()
    }
}

/// `{"self": {"href": "./<kind>/<id>"}}`.
fn links(kind: &str, id: &str) -> mgmt::Links {
    [("self".to_owned(), Link { href: format!("./{kind}/{id}") })].into_iter().collect()
}

fn time(t: Timestamp) -> String {
    t.to_rfc3339()
}

impl Network {
    /// A page of the edge routers, in id order, and how many there are.
    pub fn router_list(&self, paging: Paging) -> (Vec<EdgeRouter>, usize) {
        let total = self.books.routers.len();
        let range = paging.range(total);
        let page = self.books.routers.values().skip(range.start).take(range.len());
        let items = page
            .map(|&r| {
                let router = &self.routers[r];
                let online = router.down_until.is_none();
                let host = format!("10.{}.0.{}", 20 + r / 200, r % 200 + 10);
                EdgeRouter {
                    id: router.id.clone(),
                    name: router.listing.name.clone(),
                    role_attributes: Some(router.listing.attributes.clone()),
                    is_online: online,
                    is_verified: true,
                    is_tunneler_enabled: false,
                    disabled: false,
                    no_traversal: Some(false),
                    cost: Some(0),
                    supported_protocols: [("tls".to_owned(), format!("tls://{host}:3022"))].into_iter().collect(),
                    hostname: host,
                    sync_status: if online { "SYNC_DONE" } else { "SYNC_DISCONNECTED" }.into(),
                    base: Base {
                        created_at: time(router.listing.created),
                        updated_at: time(router.listing.updated),
                        links: links("edge-routers", &router.id),
                        tags: Some(Default::default()),
                    },
                }
            })
            .collect();
        (items, total)
    }

    /// A page of the identities that exist now, in id order, and how many
    /// there are.
    pub fn identity_list(&self, paging: Paging) -> (Vec<Identity>, usize) {
        let total = self.books.identities.len();
        let range = paging.range(total);
        let page = self.books.identities.values().skip(range.start).take(range.len());
        let items = page
            .map(|&i| {
                let ident = &self.identities[i];
                let connected = ident.at.is_some();
                Identity {
                    id: ident.id.clone(),
                    name: ident.listing.name.clone(),
                    identity_type: Some(EntityRef {
                        entity: Some("identity-types".into()),
                        id: "Default".into(),
                        name: "Default".into(),
                        links: links("identity-types", "Default"),
                    }),
                    type_id: "Default".into(),
                    role_attributes: Some(ident.listing.attributes.clone()),
                    // A connected SDK holds an API session.
                    has_api_session: connected,
                    has_edge_router_connection: connected,
                    edge_router_connection_status: Some(if connected { "online" } else { "offline" }.into()),
                    is_admin: false,
                    disabled: false,
                    base: Base {
                        created_at: time(ident.listing.created),
                        updated_at: time(ident.listing.updated),
                        links: links("identities", &ident.id),
                        tags: Some(Default::default()),
                    },
                }
            })
            .collect();
        (items, total)
    }
}
