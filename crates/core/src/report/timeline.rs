//! Each subject's down spans over a range, as the store's own rule says
//! (see `mod.rs`): the network at the range's start, then every event of
//! the range through a [`Store`], noting when a subject's answer turns.

use super::spans::Span;
use crate::layout::NodeId;
use crate::store::{Change, Health, SortBy};
use crate::{ConnKind, Event, Store, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What a report is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "lowercase")]
pub enum Subject {
    Router(String),
    Controller(String),
    Link(String),
}

/// See the module docs.
pub struct Timelines {
    store: Store,
    /// Since when each subject that is down now has been.
    open: BTreeMap<Subject, i64>,
    /// Each subject's ended down spans.
    downs: BTreeMap<Subject, Vec<Span>>,
    /// The subjects whose state was known at some time in the range, and
    /// since when (the range's start for those known then).
    known: BTreeMap<Subject, i64>,
    from: i64,
}

impl Timelines {
    /// Starts from `store`, the network at `from`: what is down then has
    /// been since its loss (a router's) or since before `from`.
    pub fn new(store: Store, from: i64) -> Timelines {
        let rows = store.topology(Timestamp(from)).rows_where(|_| true, SortBy::Name, true);
        let mut t = Timelines { store, open: BTreeMap::new(), downs: BTreeMap::new(), known: BTreeMap::new(), from };
        let nodes = rows.into_iter().map(|row| match row.node {
            NodeId::Router(id) => Subject::Router(id),
            NodeId::Controller(id) => Subject::Controller(id),
        });
        let links: Vec<Subject> = t.store.links().map(|(id, _)| Subject::Link(id.clone())).collect();
        for s in nodes.chain(links) {
            let since = match &s {
                Subject::Router(id) => t.store.router_down_since(id).map(|at| at.0),
                _ => None,
            };
            t.mark(s, since.unwrap_or(from - 1));
        }
        t
    }

    /// Applies the next event (in time order, as the history's pages give
    /// them) and notes what turned.
    pub fn observe(&mut self, e: &Event) {
        let changes = self.store.apply(e);
        let mut touched = BTreeSet::new();
        for c in &changes {
            match c {
                Change::Conn { key, .. } if key.kind == ConnKind::RouterToCtrl => {
                    touched.insert(Subject::Router(key.src.clone()));
                    touched.insert(Subject::Controller(key.dst.clone()));
                }
                Change::Conn { key, .. } if key.kind == ConnKind::CtrlToCtrl => {
                    touched.insert(Subject::Controller(key.src.clone()));
                    touched.insert(Subject::Controller(key.dst.clone()));
                }
                Change::Link { link, .. } => {
                    touched.insert(Subject::Link(link.clone()));
                }
                _ => {}
            }
        }
        // A link is down with its router too (`Store::link_up`), with no
        // event of its own: a router that turned may turn its links.
        if touched.iter().any(|s| matches!(s, Subject::Router(_))) {
            touched.extend(self.store.links().map(|(id, _)| Subject::Link(id.clone())));
        }
        for s in touched {
            self.mark(s, e.at.0);
        }
    }

    /// The network's nodes as the list view has them now (what a
    /// maintenance window's scope is resolved against).
    pub fn nodes(&self, now: i64) -> Vec<crate::store::NodeRow> {
        self.store.topology(Timestamp(now)).rows_where(|_| true, SortBy::Name, true)
    }

    /// Since when each subject's state has been known: the range's start,
    /// or its first event in the range (the time before is not observed).
    pub fn known_since(&self) -> BTreeMap<Subject, i64> {
        self.known.clone()
    }

    /// Each subject whose state was known in the range, with its down
    /// spans (one still open ends at `i64::MAX`: ongoing).
    pub fn finish(mut self) -> Vec<(Subject, Vec<Span>)> {
        for (s, since) in std::mem::take(&mut self.open) {
            self.downs.entry(s).or_default().push(Span::new(since, i64::MAX));
        }
        let mut downs = self.downs;
        self.known.into_keys().map(|s| (s.clone(), downs.remove(&s).unwrap_or_default())).collect()
    }

    /// `Some(true)` while the store says the subject is down, `None` while
    /// it knows nothing of it.
    fn down(&self, s: &Subject) -> Option<bool> {
        let health = |h: Health| (h != Health::Unknown).then_some(h == Health::Down);
        match s {
            Subject::Router(id) => health(self.store.router_health(id)),
            Subject::Controller(id) => health(self.store.controller_health(id)),
            Subject::Link(id) => self.store.links().any(|(l, _)| l == id).then(|| !self.store.link_up(id)),
        }
    }

    /// Notes the subject's state at `at`.
    fn mark(&mut self, s: Subject, at: i64) {
        let Some(down) = self.down(&s) else { return };
        self.known.entry(s.clone()).or_insert(at.max(self.from));
        match (down, self.open.get(&s)) {
            (true, None) => {
                self.open.insert(s, at);
            }
            (false, Some(&since)) => {
                self.open.remove(&s);
                if at > since {
                    self.downs.entry(s).or_default().push(Span::new(since, at));
                }
            }
            _ => {}
        }
    }
}

/// The timelines of the subjects `filter` (over the list view's node
/// fields, `rows` as the list has them) passes: nodes by their row, links
/// only when the filter passes everything (it has no link fields).
pub fn passing(
    timelines: Vec<(Subject, Vec<Span>)>,
    rows: &[crate::store::NodeRow],
    filter: &crate::filter::Filter,
) -> Vec<(Subject, Vec<Span>)> {
    if filter.is_all() {
        return timelines;
    }
    let passes = |s: &Subject| {
        let (router, id) = match s {
            Subject::Router(id) => (true, id),
            Subject::Controller(id) => (false, id),
            Subject::Link(_) => return false,
        };
        rows.iter().any(|r| matches!(r.node, NodeId::Router(_)) == router && r.node.id() == id && filter.matches(r))
    };
    timelines.into_iter().filter(|(s, _)| passes(s)).collect()
}
