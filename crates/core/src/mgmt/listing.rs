//! Reading the controller's lists as a client: walking the pages of one
//! list, and turning a whole listing into the events the store takes
//! ([`EntityListed`]). The feed's inventory client does the I/O; the rules
//! live here, so they are tested natively.
//!
//! The rules of a walk ([`PageWalk`]):
//! - pages of [`PAGE`] items (the controller's [`LIMIT_MAX`](super::LIMIT_MAX)),
//!   the next starting where the last one ended;
//! - the walk ends on an empty page, or once it reached the list's
//!   `totalCount` as the newest page states it;
//! - it ends *incomplete* past the controller's offset limit or after more
//!   pages than the list can hold: a server that always sends full pages
//!   never keeps the client busy for ever;
//! - a page without `meta.pagination` is not the API's answer.
//!
//! The rules of a listing ([`Lister`]):
//! - the first listing reports every entity; later ones report only what
//!   changed since (a name, attributes, a type, a router's `isOnline`), so a
//!   quiet network costs nothing every few minutes;
//! - an entity that a listing held and the next two complete ones do not
//!   is reported deleted. Two, because paging is not a snapshot: an entity
//!   deleted before the current page shifts the next page by one, so one
//!   complete-looking walk can miss an entity that still exists. (A real
//!   deletion also comes at once through `entityChange`.) An incomplete walk
//!   never reports a deletion.

use super::{EdgeRouter, Identity, ListEnvelope, OFFSET_MAX};
use crate::event::EntityListed;
use crate::EntityType;
use std::collections::{BTreeMap, BTreeSet};

/// The page size the client asks for.
pub const PAGE: i64 = super::LIMIT_MAX;

/// Where a walk over one list's pages stands (see the module docs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageWalk {
    next: i64,
    pages: u32,
    items: usize,
    ended: Option<Ended>,
}

/// How a walk ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// Every item the list holds was read.
    Complete,
    /// It stopped early (offset limit or page count): what was read stands,
    /// but nothing may be inferred from an absence.
    Incomplete,
}

/// The most pages a walk reads: every offset the controller allows.
const MAX_PAGES: u32 = (OFFSET_MAX / PAGE) as u32 + 2;

impl PageWalk {
    /// A walk from the first page.
    pub fn new() -> Self {
        Self::default()
    }

    /// The next page's query (`limit`, `offset`), or `None` when the walk
    /// has ended.
    pub fn next(&self) -> Option<(i64, i64)> {
        self.ended.is_none().then_some((PAGE, self.next))
    }

    /// How it ended, once it has.
    pub fn ended(&self) -> Option<Ended> {
        self.ended
    }

    /// Items read so far.
    pub fn items(&self) -> usize {
        self.items
    }

    /// Takes a page's envelope. An envelope without pagination is an error
    /// (the walk is then over, incomplete).
    pub fn take<T>(&mut self, page: &ListEnvelope<T>) -> Result<(), String> {
        let Some(p) = page.meta.pagination else {
            self.ended = Some(Ended::Incomplete);
            return Err("the answer has no meta.pagination: not the management API's list".into());
        };
        let got = page.data.len();
        self.pages += 1;
        self.items += got;
        self.next = self.next.saturating_add(i64::try_from(got).unwrap_or(i64::MAX));
        self.ended = if got == 0 || self.next >= p.total_count {
            Some(Ended::Complete)
        } else if self.next > OFFSET_MAX || self.pages >= MAX_PAGES {
            Some(Ended::Incomplete)
        } else {
            None
        };
        Ok(())
    }
}

/// An edge router as the store takes it.
pub fn router_listed(r: &EdgeRouter) -> EntityListed {
    EntityListed {
        entity: EntityType::Router,
        id: r.id.clone(),
        deleted: false,
        name: r.name.clone(),
        attributes: r.role_attributes.clone().unwrap_or_default(),
        identity_type: None,
        online: Some(r.is_online),
    }
}

/// An identity as the store takes it: its type by the name the API gives
/// it (`Device`, `User`, …), else by its id.
pub fn identity_listed(i: &Identity) -> EntityListed {
    let kind = i.identity_type.as_ref().map(|t| t.name.clone()).filter(|n| !n.is_empty());
    let kind = kind.or_else(|| (!i.type_id.is_empty()).then(|| i.type_id.clone()));
    EntityListed {
        entity: EntityType::Identity,
        id: i.id.clone(),
        deleted: false,
        name: i.name.clone(),
        attributes: i.role_attributes.clone().unwrap_or_default(),
        identity_type: kind,
        online: None,
    }
}

/// Remembers the last listing of one entity type and reports what a new
/// one changes (see the module docs).
#[derive(Clone, Debug, Default)]
pub struct Lister {
    /// The last listed form of each entity still believed to exist.
    known: BTreeMap<String, EntityListed>,
    /// Entities a complete listing missed once.
    missed: BTreeSet<String>,
}

impl Lister {
    /// Nothing listed yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many entities it believes exist.
    pub fn len(&self) -> usize {
        self.known.len()
    }

    /// Whether it believes none exist.
    pub fn is_empty(&self) -> bool {
        self.known.is_empty()
    }

    /// Takes one listing of `entity`s; returns what to report, in id order.
    pub fn round(&mut self, entity: EntityType, listed: Vec<EntityListed>, ended: Ended) -> Vec<EntityListed> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        for l in listed {
            if l.id.is_empty() || !seen.insert(l.id.clone()) {
                continue;
            }
            self.missed.remove(&l.id);
            if self.known.get(&l.id) != Some(&l) {
                self.known.insert(l.id.clone(), l.clone());
                out.push(l);
            }
        }
        if ended == Ended::Complete {
            let absent: Vec<String> = self.known.keys().filter(|id| !seen.contains(*id)).cloned().collect();
            for id in absent {
                if self.missed.remove(&id) {
                    self.known.remove(&id);
                    out.push(EntityListed {
                        entity,
                        id,
                        deleted: true,
                        name: String::new(),
                        attributes: Vec::new(),
                        identity_type: None,
                        online: None,
                    });
                } else {
                    self.missed.insert(id);
                }
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }
}

#[cfg(test)]
#[path = "listing_tests.rs"]
mod tests;
