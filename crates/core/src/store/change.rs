//! What `apply` reports: real changes only, one value per change.

use crate::event::SdkStatus;
use crate::store::{ConnKey, Lifecycle};
use crate::{EntityType, Timestamp};
use serde::{Deserialize, Serialize};

/// One real change of state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// A connection went up or down (`from: None`: first sight).
    Conn { key: ConnKey, from: Option<bool>, to: bool, at: Timestamp },
    /// A connection's time-driven lifecycle moved (stale, flapping, back),
    /// as found by [`crate::Store::tick`].
    Lifecycle { key: ConnKey, from: Option<Lifecycle>, to: Lifecycle, at: Timestamp },
    /// A router↔router link went up or down, by its own events.
    Link { link: String, from: Option<bool>, to: bool, at: Timestamp },
    /// An identity's SDK status changed.
    Sdk { identity: String, from: Option<SdkStatus>, to: SdkStatus, at: Timestamp },
    /// The cluster leader changed (`None`: leaderless).
    Leader { from: Option<String>, to: Option<String>, at: Timestamp },
    /// The cluster membership changed.
    Members { count: usize, at: Timestamp },
    /// The cluster entered or left read-only mode.
    ReadOnly { read_only: bool, at: Timestamp },
    /// The inventory named, renamed or deleted a router or an identity
    /// (`name: None`: deleted).
    Entity { of: EntityType, id: String, name: Option<String>, at: Timestamp },
}

/// A change in words, for lists and logs. Every string is plain text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ChangeLabel {
    pub at: Timestamp,
    /// What changed: a connection kind, `link`, `sdk` or `cluster`.
    pub what: &'static str,
    /// Who: `src → dst`, a link id, an identity, …
    pub subject: String,
    /// The new state, in words.
    pub state: String,
    /// `Some(true)` for a good change, `Some(false)` for a bad one.
    pub good: Option<bool>,
}

impl Change {
    /// When it happened.
    pub fn at(&self) -> Timestamp {
        match self {
            Change::Conn { at, .. }
            | Change::Lifecycle { at, .. }
            | Change::Link { at, .. }
            | Change::Sdk { at, .. }
            | Change::Leader { at, .. }
            | Change::Members { at, .. }
            | Change::ReadOnly { at, .. }
            | Change::Entity { at, .. } => *at,
        }
    }

    /// The routers and identities it names (controllers included where a
    /// connection ends at one), as in its label.
    pub fn entities(&self) -> [Option<(EntityType, &str)>; 2] {
        fn end(t: EntityType, id: &str) -> Option<(EntityType, &str)> {
            (!id.is_empty()).then_some((t, id))
        }
        match self {
            Change::Conn { key, .. } | Change::Lifecycle { key, .. } => {
                let (st, dt) = key.kind.ends();
                [end(st, &key.src), end(dt, &key.dst)]
            }
            Change::Sdk { identity, .. } => [end(EntityType::Identity, identity), None],
            Change::Entity { of, id, .. } => [end(*of, id), None],
            Change::Link { .. } | Change::Leader { .. } | Change::Members { .. } | Change::ReadOnly { .. } => {
                [None, None]
            }
        }
    }

    /// The change in words, with ids as they are.
    pub fn label(&self) -> ChangeLabel {
        self.label_with(&|_, id| id.to_owned())
    }

    /// The change in words, each router and identity by what `name` makes
    /// of its id (a store's names: [`crate::Store::label`]). Links,
    /// controllers and the cluster keep their ids.
    pub fn label_with(&self, name: &dyn Fn(EntityType, &str) -> String) -> ChangeLabel {
        let ends = |key: &ConnKey| {
            let (st, dt) = key.kind.ends();
            let src = name(st, &key.src);
            if key.dst.is_empty() {
                src
            } else {
                format!("{src} → {}", name(dt, &key.dst))
            }
        };
        let updown = |up: bool| if up { "connected" } else { "disconnected" }.to_string();
        let (what, subject, state, good) = match self {
            Change::Conn { key, to, .. } => {
                let subject = ends(key);
                (key.kind.as_str(), subject, updown(*to), Some(*to))
            }
            Change::Lifecycle { key, to, .. } => {
                let subject = ends(key);
                (key.kind.as_str(), subject, to.as_str().to_string(), Some(*to == Lifecycle::Connected))
            }
            Change::Link { link, to, .. } => ("link", link.clone(), if *to { "up" } else { "down" }.into(), Some(*to)),
            Change::Sdk { identity, to, .. } => {
                let (state, good) = match to {
                    SdkStatus::Online => ("sdk online", Some(true)),
                    SdkStatus::Offline => ("sdk offline", Some(false)),
                    SdkStatus::Unknown => ("sdk status unknown", Some(false)),
                };
                ("sdk", name(EntityType::Identity, identity), state.into(), good)
            }
            Change::Leader { to, .. } => match to {
                Some(l) => ("cluster", l.clone(), "leader".into(), Some(true)),
                None => ("cluster", "cluster".into(), "leaderless".into(), Some(false)),
            },
            Change::Members { count, .. } => ("cluster", "cluster".into(), format!("{count} members"), None),
            Change::ReadOnly { read_only, .. } => (
                "cluster",
                "cluster".into(),
                if *read_only { "read-only" } else { "read-write" }.into(),
                Some(!read_only),
            ),
            Change::Entity { of, id, name, .. } => match name {
                Some(new) => (of.as_str(), id.clone(), format!("named {new}"), None),
                None => (of.as_str(), id.clone(), "deleted".into(), None),
            },
        };
        ChangeLabel { at: self.at(), what, subject, state, good }
    }
}
