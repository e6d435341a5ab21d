//! What a subscriber wants to hear about: an [`Interest`], the dispatcher's
//! own structured condition (cheap to test on every change). Richer rules
//! are the filter language's change expressions (`crate::filter`).

use crate::store::{Change, Lifecycle};
use crate::{ConnKind, EntityType};
use serde::{Deserialize, Serialize};

/// Which end of a connection an interest's entity conditions look at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// The dialling end (router, peer, identity).
    Src,
    /// The accepting end (controller, router).
    Dst,
    /// Either end.
    #[default]
    Either,
}

/// What a subscriber is interested in. Every condition that is set must
/// hold; an empty interest matches every change. As data (the feed's older
/// hook-rule table form) its keys are kebab-case:
/// `{ kinds = ["router-to-ctrl"], up = false, pattern = "edge-eu-*" }`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct Interest {
    /// Only connection changes of these kinds (empty: any change).
    pub kinds: Vec<ConnKind>,
    /// No connection changes of these kinds (other changes still pass).
    pub exclude_kinds: Vec<ConnKind>,
    /// Only changes that concern an entity of this type (at `direction`).
    pub entity: Option<EntityType>,
    /// Only changes that concern this exact id (at `direction`); for link
    /// changes, the link id.
    pub id: Option<String>,
    /// Only ids matching this glob (`*` any run, `?` one character).
    pub pattern: Option<String>,
    /// Only changes to up (`Some(true)`) or to down (`Some(false)`).
    pub up: Option<bool>,
    /// Which end the entity conditions look at.
    pub direction: Direction,
}

impl Interest {
    /// Whether `change` passes.
    pub fn matches(&self, change: &Change) -> bool {
        if !self.kinds.is_empty() {
            match change {
                Change::Conn { key, .. } | Change::Lifecycle { key, .. } if self.kinds.contains(&key.kind) => {}
                _ => return false,
            }
        }
        if let Change::Conn { key, .. } | Change::Lifecycle { key, .. } = change {
            if self.exclude_kinds.contains(&key.kind) {
                return false;
            }
        }
        if let Some(want) = self.up {
            if is_up(change) != Some(want) {
                return false;
            }
        }
        if self.entity.is_none() && self.id.is_none() && self.pattern.is_none() {
            return true;
        }
        ends(change, self.direction).into_iter().flatten().any(|(t, id)| {
            self.entity.is_none_or(|want| t == Some(want))
                && self.id.as_deref().is_none_or(|want| want == id)
                && self.pattern.as_deref().is_none_or(|p| glob(p, id))
        })
    }
}

/// Whether the change is to a good state (`None`: neither, e.g. a new
/// member count). The filter language's `up` of a change is this too.
pub(crate) fn is_up(change: &Change) -> Option<bool> {
    match change {
        Change::Conn { to, .. } | Change::Link { to, .. } => Some(*to),
        Change::Lifecycle { to, .. } => Some(*to == Lifecycle::Connected),
        Change::Sdk { to, .. } => Some(*to == crate::event::SdkStatus::Online),
        Change::Leader { to, .. } => Some(to.is_some()),
        Change::ReadOnly { read_only, .. } => Some(!read_only),
        Change::Entity { .. } => None,
        Change::Members { .. } => None,
    }
}

/// The entities a change concerns, as (type, id), at the chosen end.
fn ends(change: &Change, dir: Direction) -> [Option<(Option<EntityType>, &str)>; 2] {
    match change {
        Change::Conn { key, .. } | Change::Lifecycle { key, .. } => {
            let (st, dt) = key.kind.ends();
            let src = Some((Some(st), key.src.as_str()));
            let dst = Some((Some(dt), key.dst.as_str()));
            match dir {
                Direction::Src => [src, None],
                Direction::Dst => [None, dst],
                Direction::Either => [src, dst],
            }
        }
        Change::Link { link, .. } => [Some((None, link.as_str())), None],
        Change::Sdk { identity, .. } => [Some((Some(EntityType::Identity), identity.as_str())), None],
        Change::Leader { to: Some(l), .. } => [Some((Some(EntityType::Controller), l.as_str())), None],
        Change::Entity { of, id, .. } => [Some((Some(*of), id.as_str())), None],
        Change::Leader { to: None, .. } | Change::Members { .. } | Change::ReadOnly { .. } => [None, None],
    }
}

/// Glob match with `*` (any run, even empty) and `?` (one character).
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            // Let the last star swallow one more character and retry.
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}
